// The only module with side effects: reads the environment, starts the server, handles signals.
import { ConfigError, loadConfig } from "./config/config.js";
import { tuneGarbageCollector } from "./gc-tuning.js";
import { createLogger } from "./logger.js";

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`cohort-live: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

tuneGarbageCollector(config.heapGrowthPercent);
const logger = createLogger(config.logLevel);
process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));

// loaded after the configuration is accepted, so a refusal is printed at once
const { createServer } = await import("./server.js");
const server = createServer(config, { logger });
let exiting = false;
const shutdown = (signal: string) => {
  if (exiting) return;
  exiting = true;
  logger.info({ signal }, "shutting down");
  const hardStop = setTimeout(() => {
    logger.error("shutdown timed out");
    process.exit(1);
  }, config.shutdownTimeoutMs + 1500);
  hardStop.unref();
  server.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      logger.error({ err }, "shutdown failed");
      process.exit(1);
    },
  );
};
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

server.start().catch((err: unknown) => {
  logger.fatal({ err }, "failed to start");
  void server.stop().finally(() => process.exit(1));
});
