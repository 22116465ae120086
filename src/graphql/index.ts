import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { type Request, type Response, Router } from "express";
import { NoSchemaIntrospectionCustomRule } from "graphql";
import { createYoga, type Plugin } from "graphql-yoga";
import type { Core, DomainModule } from "../core.js";
import { createContext, type GraphQLContext, type GraphQLServices } from "./context.js";
import { contractErrors, contractErrorsPlugin } from "./errors.js";
import { limitPlugins } from "./limits.js";
import { buildSchema } from "./schema.js";

export type { GraphQLServices } from "./context.js";

export const GRAPHQL_PATH = "/graphql";

/** GraphiQL is one self-contained page with inline scripts and styles; only it gets a CSP that allows them. */
const GRAPHIQL_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
].join("; ");

const noIntrospection: Plugin = {
  onValidate({ addValidationRule }) {
    addValidationRule(NoSchemaIntrospectionCustomRule);
  },
};

/**
 * `POST /graphql` (and `GET` for queries): a read API over the REST data, resolved through the same domain
 * services and permission checks, with per-request loaders, depth and cost limits, and the contract's error
 * codes. Introspection and GraphiQL outside production only.
 */
export function graphqlModule(core: Core, services: GraphQLServices): DomainModule {
  const { config, logger } = core;
  const production = config.production;
  // yoga reports each error it masks; contractErrors logs the unexpected ones itself, so yoga speaks at debug level
  const quiet = (...args: unknown[]) => logger.debug({ yoga: args.map(String) }, "graphql");
  const mapError = contractErrors(core);
  const yoga = createYoga<{ req: Request; res: Response }, GraphQLContext>({
    schema: buildSchema(),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: production ? false : { title: "cohort-live GraphQL" },
    renderGraphiQL,
    landingPage: false,
    batching: false,
    cors: false,
    logging: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    maskedErrors: { maskError: mapError },
    context: ({ req, res }) => createContext(core, services, req, res),
    plugins: [...limitPlugins(production), ...(production ? [noIntrospection] : []), contractErrorsPlugin(mapError)],
  });

  const router = Router();
  router.get(GRAPHQL_PATH, async (req, res) => {
    if (!production && req.accepts(["json", "html"]) === "html") res.setHeader("Content-Security-Policy", GRAPHIQL_CSP);
    await yoga.handle(req, res, { req, res });
  });
  router.post(GRAPHQL_PATH, async (req, res) => {
    await yoga.handle(req, res, { req, res });
  });
  return { routes: router };
}
