// `npm run migrate`: applies pending migrations (and the job queue's schema) and exits.
import { ConfigError, loadConfig } from "./config/config.js";
import { createDataSource } from "./db/datasource.js";
import { runMigrations } from "./db/migrate.js";
import { migrateJobSchema } from "./jobs/queue.js";
import { createLogger } from "./logger.js";

try {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const db = createDataSource(config.database);
  await db.initialize();
  const applied = await runMigrations(db);
  await migrateJobSchema(db);
  logger.info({ applied }, applied.length ? "migrations applied" : "no pending migrations");
  await db.destroy();
} catch (err) {
  process.stderr.write(
    `cohort-live: ${err instanceof ConfigError ? err.message : "migration failed: " + (err as Error).message}\n`,
  );
  process.exit(err instanceof ConfigError ? 2 : 1);
}
