/**
 * Migrated starting points made once per test run (in test/global-setup.ts) and copied for each test: a fresh
 * PostgreSQL database is `CREATE DATABASE … TEMPLATE` of one a server has already started on (its migrations and
 * pg-boss's schema applied), and a fresh embedded DATA_DIR is a copy of a PGlite cluster a server has already
 * started in. A test gets the same state as after a first start, without paying for initdb (PGlite in WebAssembly
 * takes seconds) and the migrations every time. Tests of a first start or of migrations use empty ones instead.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { createServer } from "../../src/server.js";
import { TEST_DATABASE_URL } from "../env.js";
import { JWT_SECRET } from "./servers.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A database name on TEST_DATABASE_URL's server to copy. */
    pgTemplate: string;
    /** A PGlite DATA_DIR to copy. */
    pgliteTemplate: string;
  }
}

const silent = () => createLogger("silent");

/** Starts and stops one server on `env`, leaving its database as a first start leaves it. */
async function firstStart(env: Record<string, string>): Promise<void> {
  const config = loadConfig({ PORT: "0", LOG_LEVEL: "silent", JWT_SECRET, ...env });
  const server = createServer(config, { logger: silent() });
  try {
    await server.start();
  } finally {
    await server.stop();
  }
}

async function admin<T>(run: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return await run(c);
  } finally {
    await c.end();
  }
}

export interface Templates {
  pg: string;
  pglite: string;
  remove(): Promise<void>;
}

/** Makes both templates; `remove()` drops them at the end of the run. */
export async function makeTemplates(): Promise<Templates> {
  const pgName = `cl_template_${randomBytes(6).toString("hex")}`;
  const pgliteDir = mkdtempSync(join(tmpdir(), "cohort-live-template-"));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${pgName}`;
  await admin((c) => c.query(`CREATE DATABASE ${pgName}`));
  // one after the other: PGlite's start holds this process's event loop for seconds at a time, and on a busy machine
  // long enough for the pg driver's 15 s query_timeout to fire on an answer that had already arrived
  await firstStart({ DATABASE_URL: url.toString() });
  await firstStart({ DATA_DIR: pgliteDir });
  return {
    pg: pgName,
    pglite: pgliteDir,
    async remove() {
      rmSync(pgliteDir, { recursive: true, force: true });
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`));
    },
  };
}
