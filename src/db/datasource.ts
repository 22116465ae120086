import "reflect-metadata";
import { DataSource } from "typeorm";
import type { Config } from "../config/config.js";
import { entities } from "../../entities/index.js";
import { migrations } from "../../migrations/index.js";
import { createPgliteDriver } from "./pglite-pool.js";

export function createDataSource(database: Config["database"]): DataSource {
  const common = {
    type: "postgres" as const,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    uuidExtension: "pgcrypto" as const,
    installExtensions: false,
    logging: false,
  };
  if (database.kind === "postgres") {
    return new DataSource({
      ...common,
      url: database.url,
      extra: {
        max: 10,
        connectionTimeoutMillis: 3000,
        // fail fast instead of queueing forever when PostgreSQL is down
        query_timeout: 15000,
        statement_timeout: 15000,
        keepAlive: true,
        // keep idle connections: pg's default (10 s) closes all of a burst's connections at once, and the next
        // burst pays a connection set-up per query
        idleTimeoutMillis: 0,
      },
    });
  }
  return new DataSource({ ...common, driver: createPgliteDriver(database.dataDir), extra: { max: 1 } });
}
