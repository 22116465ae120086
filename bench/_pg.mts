import pg from "pg";
const c = new pg.Client({ connectionString: "postgres://postgres@127.0.0.1:5432/test" });
await c.connect();
await c.query("CREATE TEMP TABLE IF NOT EXISTS t (id bigserial, b bytea)");
await c.query("CREATE TABLE IF NOT EXISTS _t_perm (id bigserial, b bytea)");
const ts: number[] = [];
for (let i = 0; i < 300; i++) {
  const s = performance.now();
  await c.query("INSERT INTO _t_perm (b) VALUES ($1)", [Buffer.alloc(40)]);
  ts.push(performance.now() - s);
}
ts.sort((a, b) => a - b);
console.log("commit ms p50", ts[150].toFixed(2), "p90", ts[270].toFixed(2), "p99", ts[297].toFixed(2));
await c.query("DROP TABLE _t_perm");
await c.end();
