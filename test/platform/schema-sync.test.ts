/**
 * Entities and migrations describe one schema: after the hand-written migrations ran, TypeORM's schema
 * builder (what `synchronize` would run) has nothing to change, on PostgreSQL and on the embedded PGlite.
 */
import type { DataSource } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDataSource } from "../../src/db/datasource.js";
import { runMigrations } from "../../src/db/migrate.js";
import { createTestDatabase, tempDir } from "../support/databases.js";

const databases: [string, () => Promise<{ ds: DataSource; cleanup: () => Promise<void> }>][] = [
  [
    "PostgreSQL",
    async () => {
      const db = await createTestDatabase();
      return { ds: createDataSource({ kind: "postgres", url: db.url }), cleanup: db.drop };
    },
  ],
  [
    "PGlite",
    async () => {
      const dir = tempDir();
      return { ds: createDataSource({ kind: "pglite", dataDir: dir.path }), cleanup: async () => dir.remove() };
    },
  ],
];

describe.each(databases)("entities and migrations agree on %s", (_name, open) => {
  let ds: DataSource;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ ds, cleanup } = await open());
    await ds.initialize();
    await runMigrations(ds);
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await cleanup?.();
  });

  it("the schema builder has nothing to change after migrating", async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });
});
