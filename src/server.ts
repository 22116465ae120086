import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { authModule } from "./auth/index.js";
import { createTokenService } from "./identity/tokens.js";
import { createAccessService } from "./identity/access.js";
import { cohortsModule } from "./cohorts/index.js";
import type { Config } from "./config/config.js";
import type { Core, DomainModule } from "./core.js";
import { createDataSource } from "./db/datasource.js";
import { createBus } from "./events/bus.js";
import { createDomainEvents } from "./events/domain-events.js";
import { runMigrations } from "./db/migrate.js";
import type { Engine } from "./engine/engine.js";
import { createMemoryEngine } from "./engine/memory.js";
import { createRedisEngine } from "./engine/redis.js";
import { createJobQueue } from "./jobs/queue.js";
import { CONTRACT_VERSION } from "./contract/index.js";
import { graphqlModule } from "./graphql/index.js";
import { apiDocsRoutes } from "./http/api-docs/routes.js";
import { createHttpApp, listRoutes } from "./http/app.js";
import { answerClientErrors, httpServerOptions, limitConnections } from "./http/limits.js";
import { createMetricsServer } from "./http/metrics-server.js";
import { opsRoutes } from "./http/ops.js";
import { createSocketCounter } from "./realtime/connect-limits.js";
import { createLogger, type Logger } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { notificationsModule } from "./notifications/index.js";
import { pushModule } from "./push/index.js";
import { handleConnections } from "./realtime/connections.js";
import { createIo } from "./realtime/io.js";
import { createCohortRooms } from "./identity/cohort-rooms.js";
import { reviewsModule } from "./reviews/index.js";
import { sessionsModule } from "./sessions/index.js";

export interface ServerHandle {
  /** Connects the database (running migrations unless disabled) and listens; resolves with the port. */
  start(): Promise<number>;
  /** Drains and closes everything; safe to call twice. */
  stop(): Promise<void>;
  readonly core: Core;
  /** What this server registered: every HTTP route (`METHOD /path`) and every client event it handles. */
  registered(): { routes: string[]; events: string[] };
}

function tracker() {
  const pending = new Set<Promise<unknown>>();
  return {
    add(p: Promise<unknown>) {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    async settle(timeoutMs: number) {
      const deadline = new Promise((r) => setTimeout(r, timeoutMs).unref());
      await Promise.race([Promise.allSettled([...pending]), deadline]);
    },
  };
}

/** Builds a server from a validated config. Nothing happens until `start()`. */
export function createServer(config: Config, opts: { logger?: Logger } = {}): ServerHandle {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  const db = createDataSource(config.database);
  const engine: Engine = config.redis
    ? createRedisEngine({ url: config.redis.url, prefix: config.redis.prefix, logger, metrics })
    : createMemoryEngine();
  const jobs = createJobQueue({ db, logger, registry: metrics.registry, migrate: config.migrationsRun });
  const tokens = createTokenService(config.jwt.secret);
  const bus = createBus(engine, logger);
  const events = createDomainEvents(logger);
  const access = createAccessService({ db, bus, events, logger });
  const inflight = tracker();
  // Express is the server's own request handler, so Socket.IO (attached below) sees its requests first: it takes
  // /socket.io/ (long-polling included) and hands everything else on. Added as a second listener, Express would
  // answer the polling requests too, with 404.
  let app: ReturnType<typeof createHttpApp> | null = null;
  const httpServer: HttpServer = createHttpServer(httpServerOptions(config), (req, res) => {
    // HTTP requests count as in-flight work for shutdown, like socket acks
    inflight.add(new Promise((resolve) => res.once("close", resolve)));
    app?.(req, res);
  });
  limitConnections(httpServer, config);
  answerClientErrors(httpServer);
  const sockets = createSocketCounter({ engine, logger, limit: config.maxSocketsPerUser });
  const metricsServer = config.metricsPort ? createMetricsServer(metrics) : null;
  const io = createIo(httpServer, { config, engine, tokens, access, logger, metrics, sockets });
  const rooms = createCohortRooms(io, access, events);
  let draining = false;
  const core: Core = {
    config,
    logger,
    metrics,
    db,
    engine,
    jobs,
    bus,
    events,
    io,
    tokens,
    access,
    rooms,
    isDraining: () => draining,
  };

  const auth = authModule(core);
  const cohorts = cohortsModule(core);
  const notifications = notificationsModule(core);
  const sessions = sessionsModule(core, notifications.service);
  const reviews = reviewsModule(core, notifications.service);
  const graphql = graphqlModule(core, {
    auth: auth.service,
    cohorts: cohorts.service,
    sessions: sessions.service,
    chat: sessions.chat,
    history: sessions.history,
    reviews: reviews.service,
    reviewBatches: reviews.batches,
    inbox: notifications.service,
    announcements: notifications.announcements,
  });
  const modules: DomainModule[] = [
    auth,
    cohorts,
    notifications,
    pushModule(core, notifications.service),
    sessions,
    reviews,
    graphql,
  ];
  app = createHttpApp({
    config,
    logger,
    metrics,
    ops: opsRoutes({ db, engine, metrics, draining: () => draining, metricsOnOwnPort: metricsServer !== null }),
    api: [
      apiDocsRoutes({ version: CONTRACT_VERSION, interactive: config.apiDocs }),
      ...modules.flatMap((m) => (m.routes ? [m.routes] : [])),
    ],
  });
  handleConnections(
    core,
    modules.flatMap((m) => m.handlers ?? []),
    inflight,
    sockets,
  );

  let stopping: Promise<void> | null = null;
  return {
    core,
    registered: () => ({ routes: listRoutes(app), events: modules.flatMap((m) => (m.handlers ?? []).map((h) => h.event)) }),
    async start() {
      if (config.jwt.generated) logger.warn("JWT_SECRET is not set: using a random secret, tokens end with this process");
      if (config.trustProxy === true)
        logger.warn("TRUST_PROXY=true trusts every hop, so clients can choose their IP: set a hop count or proxy addresses");
      engine.start(io);
      sockets.start();
      await db.initialize();
      if (config.migrationsRun) {
        const applied = await runMigrations(db);
        if (applied.length) logger.info({ applied }, "migrations applied");
      }
      // the modules defined their queues when they were built; their start may enqueue
      await jobs.start();
      for (const m of modules) await m.start?.();
      await new Promise<void>((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(config.port, () => {
          httpServer.off("error", reject);
          resolve();
        });
      });
      const port = (httpServer.address() as AddressInfo).port;
      if (metricsServer && config.metricsPort) {
        const metricsPort = await metricsServer.listen(config.metricsPort);
        logger.info({ metricsPort }, "metrics listening");
      }
      logger.info({ port, database: config.database.kind, redis: config.redis ? "cluster" : "none" }, "listening");
      return port;
    },
    stop() {
      stopping ??= (async () => {
        draining = true;
        io.local.emit("server:draining", { reconnect: true });
        const closed = new Promise<void>((resolve) => (httpServer.listening ? httpServer.close(() => resolve()) : resolve()));
        httpServer.closeIdleConnections();
        await inflight.settle(Math.max(1000, config.shutdownTimeoutMs - 2000));
        io.local.disconnectSockets(true);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        httpServer.closeAllConnections();
        await closed;
        sockets.stop();
        await metricsServer?.close();
        for (const m of modules) await m.stop?.().catch((err: Error) => logger.warn({ err: err.message }, "module stop failed"));
        await jobs.stop().catch((err: Error) => logger.warn({ err: err.message }, "job queue stop failed"));
        await engine.close().catch(() => undefined);
        if (db.isInitialized)
          await db.destroy().catch((err: Error) => logger.warn({ err: err.message }, "database close failed"));
        logger.info("stopped");
      })();
      return stopping;
    },
  };
}
