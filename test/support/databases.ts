/** A fresh PostgreSQL database per test file, SQL for assertions on what is stored, and temp data directories. */
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { TEST_DATABASE_URL, UNDER_VITEST } from "../env.js";

export { TEST_DATABASE_URL };

function dbUrl(name: string) {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/**
 * This run's migrated template (test/support/templates.ts, made by test/global-setup.ts), or "" outside vitest
 * (the bench imports these helpers too).
 */
async function templateOf(key: "pgTemplate" | "pgliteTemplate"): Promise<string> {
  if (!UNDER_VITEST) return "";
  const { inject } = await import("vitest");
  const template = inject(key);
  if (!template) throw new Error(`test/global-setup.ts provided no ${key}`);
  return template;
}

/** Creates an empty database for this test file; `drop()` removes it. */
export async function createTestDatabase(opts: { template?: string } = {}): Promise<TestDatabase> {
  const name = `cl_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${opts.template ? ` TEMPLATE ${opts.template}` : ""}`);
  await admin.end();
  return {
    name,
    url: dbUrl(name),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A database as a server's first start leaves it (migrated), copied from this run's template when there is one. */
export async function createMigratedDatabase(): Promise<TestDatabase> {
  return createTestDatabase({ template: await templateOf("pgTemplate") });
}

/** Runs SQL directly against a test database (for assertions on what is stored). */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A temp directory (an embedded node's DATA_DIR); `remove()` deletes it. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), "cohort-live-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A temp DATA_DIR holding a PGlite cluster as a server's first start leaves it (copied from this run's template). */
export async function migratedDataDir(): Promise<{ path: string; remove: () => void }> {
  const dir = tempDir();
  const template = await templateOf("pgliteTemplate");
  if (template) cpSync(template, dir.path, { recursive: true });
  return dir;
}
