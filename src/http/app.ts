import { randomUUID } from "node:crypto";
import cors from "cors";
import express, { type ErrorRequestHandler, type Express, type Router } from "express";
import helmet from "helmet";
import type { Config } from "../config/config.js";
import { AppError, ERROR_STATUS, isDatabaseError, toErrorBody } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { defaultWebDir, webAppRouter } from "./web-app.js";

export const MAX_BODY = "1mb";

/** Builds the Express app: ops endpoints, `/api` routers, and the one error mapping for REST. */
export function createHttpApp(deps: { config: Config; logger: Logger; metrics: Metrics; ops: Router; api: Router[] }): Express {
  const { config, logger, metrics } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);

  app.use((req, res, next) => {
    req.id = randomUUID();
    res.setHeader("X-Request-Id", req.id);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? (res.statusCode === 404 ? "unmatched" : req.path);
      metrics.httpRequests.inc({ method: req.method, route: String(req.baseUrl ?? "") + String(route), status: res.statusCode });
      logger.info(
        {
          reqId: req.id,
          method: req.method,
          url: req.originalUrl.split("?")[0],
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        "request",
      );
    });
    next();
  });
  app.use(helmet());
  app.use(cors({ origin: config.corsOrigins === "*" ? true : config.corsOrigins, credentials: true }));
  app.use(express.json({ limit: MAX_BODY }));

  app.use(deps.ops);
  for (const router of deps.api) app.use(router);
  if (config.webApp) {
    const web = webAppRouter(config.webAppDir ?? defaultWebDir());
    if (web) app.use(web);
    else logger.warn("WEB_APP is on but the web app is not built (npm run build): / answers 404");
  }

  app.use((_req, _res, next) => next(new AppError("NOT_FOUND", "no such route")));

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    let mapped: unknown = err;
    const type = (err as { type?: string } | null)?.type;
    if (type === "entity.parse.failed") mapped = new AppError("INVALID_PAYLOAD", "malformed JSON body");
    else if (type === "entity.too.large") mapped = new AppError("PAYLOAD_TOO_LARGE", "body over 1 MB");
    else if (typeof type === "string" && (type.startsWith("encoding.") || type.startsWith("charset.")))
      mapped = new AppError("INVALID_PAYLOAD", "unsupported body encoding or charset");
    else if ((err as { status?: number } | null)?.status === 400 && !(err instanceof AppError))
      mapped = new AppError("INVALID_PAYLOAD", "malformed request");
    const body = toErrorBody(mapped);
    if (isDatabaseError(err)) metrics.dbErrors.inc();
    if (body.code === "INTERNAL" || body.code === "UNAVAILABLE") logger.error({ err, reqId: req.id }, "request failed");
    if (mapped instanceof AppError && mapped.retryAfter) res.setHeader("Retry-After", String(mapped.retryAfter));
    if (res.headersSent) return;
    res.status(ERROR_STATUS[body.code]).json({ error: body });
  };
  app.use(onError);
  return app;
}

interface StackLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: StackLayer[] };
}

/** Every route registered on the app (`GET /api/me` …), read from Express's router stacks. */
export function listRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: StackLayer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m.toUpperCase()} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: StackLayer[] } }).router.stack);
  return out;
}
