/**
 * How long PGlite (embedded, on the main thread) takes to move `bytea` values of document sizes in and out —
 * the cost a load, a compaction or a history read pays on the event loop. `npx tsx bench/pglite-bytea.ts`
 */
import { performance } from "node:perf_hooks";
import { createDataSource } from "../src/db/datasource.js";
import { tempDir } from "../test/support/databases.js";

const dir = tempDir();
const db = createDataSource({ kind: "pglite", dataDir: dir.path });
await db.initialize();
await db.query(`CREATE TABLE blobs (id serial PRIMARY KEY, data bytea NOT NULL)`);
const results: Record<string, { writeMs: number; readMs: number }> = {};
for (const mb of [0.25, 1, 4, 10, 27]) {
  const data = Buffer.alloc(Math.round(mb * 1024 * 1024), 7);
  const t0 = performance.now();
  const [{ id }] = (await db.query(`INSERT INTO blobs (data) VALUES ($1) RETURNING id`, [data])) as { id: number }[];
  const t1 = performance.now();
  await db.query(`SELECT data FROM blobs WHERE id = $1`, [id]);
  const t2 = performance.now();
  results[`${mb} MB`] = { writeMs: Math.round(t1 - t0), readMs: Math.round(t2 - t1) };
}
console.log(JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
await db.destroy();
dir.remove();
