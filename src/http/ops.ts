import { type Request, type Response, Router } from "express";
import type { DataSource } from "typeorm";
import type { Engine } from "../engine/engine.js";
import type { Metrics } from "../metrics.js";

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timeout")), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/**
 * `/healthz` (process up), `/readyz` (database and Redis reachable), `/metrics` (Prometheus) unless
 * `metricsOnOwnPort`, when METRICS_PORT serves it (see metrics-server.ts) and PORT answers 404.
 */
export function opsRoutes(deps: {
  db: DataSource;
  engine: Engine;
  metrics: Metrics;
  draining: () => boolean;
  metricsOnOwnPort: boolean;
}): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const [db, redis] = await Promise.all([
      withTimeout(deps.db.query("SELECT 1"), CHECK_TIMEOUT_MS).then(
        () => "ok" as const,
        () => {
          deps.metrics.dbErrors.inc();
          return "down" as const;
        },
      ),
      withTimeout(deps.engine.health(), CHECK_TIMEOUT_MS).catch(() => "down" as const),
    ]);
    const ready = db === "ok" && redis !== "down" && !deps.draining();
    res.status(ready ? 200 : 503).json({ db, redis, ...(deps.draining() ? { draining: true } : {}) });
  });
  if (!deps.metricsOnOwnPort) router.get("/metrics", metricsHandler(deps.metrics));
  return router;
}

/** Prometheus text exposition of the registry. */
export function metricsHandler(metrics: Metrics) {
  return async (_req: Request, res: Response) => {
    res.setHeader("Content-Type", metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
}
