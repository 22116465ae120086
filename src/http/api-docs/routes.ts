import { createRequire } from "node:module";
import { apiReference } from "@scalar/express-api-reference";
import { type RequestHandler, type Response, Router } from "express";
import { buildAsyncApi } from "./asyncapi.js";
import { buildOpenApi } from "./openapi.js";

const require = createRequire(import.meta.url);
/** The reference UIs' browser bundles, served from node_modules: no CDN. */
const ASSETS = {
  "scalar.js": require.resolve("@scalar/api-reference/browser/standalone.js"),
  "asyncapi.js": require.resolve("@asyncapi/react-component/browser/standalone/index.js"),
  "asyncapi.css": require.resolve("@asyncapi/react-component/styles/default.min.css"),
};

/** The reference pages run an inline bootstrap script (and the AsyncAPI parser compiles schemas with ajv). */
function docsPolicy(res: Response, evalAllowed: boolean) {
  res.setHeader(
    "Content-Security-Policy",
    `default-src 'self'; script-src 'self' 'unsafe-inline'${evalAllowed ? " 'unsafe-eval'" : ""}; style-src 'self' 'unsafe-inline'; ` +
      "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:",
  );
}

const EVENTS_PAGE = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>cohort-live realtime API</title>
    <link rel="stylesheet" href="/docs/assets/asyncapi.css" />
  </head>
  <body>
    <p style="font-family: sans-serif; margin: 1rem">Socket.IO events · <a href="/docs">REST reference</a> · <a href="/api/asyncapi.json">asyncapi.json</a></p>
    <div id="asyncapi"></div>
    <script src="/docs/assets/asyncapi.js"></script>
    <script>
      AsyncApiStandalone.render({ schema: { url: "/api/asyncapi.json" }, config: { show: { sidebar: true } } }, document.getElementById("asyncapi"));
    </script>
  </body>
</html>`;

/**
 * `GET /api/openapi.json` and `/api/asyncapi.json` (always), and with `API_DOCS` the interactive references:
 * `/docs` (Scalar, the REST routes) and `/docs/events` (AsyncAPI's viewer, the Socket.IO events).
 */
export function apiDocsRoutes(opts: { version: string; interactive: boolean }): Router {
  const router = Router();
  let openapi: unknown;
  let asyncapi: unknown;
  router.get("/api/openapi.json", (_req, res) => {
    res.json((openapi ??= buildOpenApi(opts.version)));
  });
  router.get("/api/asyncapi.json", (_req, res) => {
    res.json((asyncapi ??= buildAsyncApi(opts.version)));
  });
  if (!opts.interactive) return router;

  const scalar = apiReference({
    url: "/api/openapi.json",
    pageTitle: "cohort-live API",
    cdn: "/docs/assets/scalar.js",
    withDefaultFonts: false,
    hideClientButton: true,
  });
  router.get(
    "/docs",
    (_req, res, next) => {
      docsPolicy(res, false);
      next();
    },
    // typed for a request with no params (never); it only writes the page
    scalar as unknown as RequestHandler,
  );
  router.get("/docs/events", (_req, res) => {
    docsPolicy(res, true);
    res.type("html").send(EVENTS_PAGE);
  });
  router.get("/docs/assets/:file", (req, res, next) => {
    const file = ASSETS[req.params.file as keyof typeof ASSETS] as string | undefined;
    if (!file) return next();
    res.setHeader("Cache-Control", "public, max-age=86400");
    res.sendFile(file);
  });
  return router;
}
