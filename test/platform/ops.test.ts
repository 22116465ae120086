/** Ops on real server processes: health, readiness while PostgreSQL goes away and comes back, SIGTERM, migrations. */
import { CHILD_PATH } from "../env.js";
import { spawnSync } from "node:child_process";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMigratedDatabase, createTestDatabase, migratedDataDir, sql, TEST_DATABASE_URL } from "../support/databases.js";
import { MAIN, type ProcessNode, ROOT, startNode } from "../support/processes.js";
import { api, makeUser, uniqueEmail } from "../support/rest.js";
import { JWT_SECRET } from "../support/servers.js";
import { connect, nextEvent } from "../support/sockets.js";
import { eventually } from "../support/time.js";

/** A TCP proxy to PostgreSQL that can be taken down (connections refused and cut) and brought back. */
async function pgProxy() {
  const target = new URL(TEST_DATABASE_URL);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 5432) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    /** The database URL `name` reached through the proxy. */
    url(name: string) {
      const u = new URL(TEST_DATABASE_URL);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async down() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    up: () => listen(port),
  };
}

const metricNames = [
  "cohort_live_sockets_connected",
  "cohort_live_events_total",
  "cohort_live_ack_duration_seconds",
  "cohort_live_db_errors_total",
  "cohort_live_redis_errors_total",
  "process_cpu_user_seconds_total",
  "nodejs_heap_size_used_bytes",
];

/** A write that must answer quickly while the database is down (never hang). */
const register = (node: ProcessNode) =>
  api(node, "POST", "/api/auth/register", {
    body: { email: uniqueEmail("ops"), password: "correct horse battery", displayName: "Ops" },
  });

describe("readiness and writes while PostgreSQL is unreachable", () => {
  let proxy: Awaited<ReturnType<typeof pgProxy>>;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let node: ProcessNode;

  beforeAll(async () => {
    proxy = await pgProxy();
    db = await createMigratedDatabase();
    node = await startNode({ DATABASE_URL: proxy.url(db.name), JWT_SECRET, AUTH_RATE_LIMIT: "0" });
  });
  afterAll(async () => {
    await node?.stop("SIGKILL");
    await proxy?.down();
    await db?.drop();
  });

  it("serves /healthz, /readyz and /metrics", async () => {
    const health = await api(node, "GET", "/healthz");
    expect(health.status).toBe(200);
    const ready = await api(node, "GET", "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ db: "ok", redis: "none" });
    const metrics = await api<string>(node, "GET", "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    for (const name of metricNames) expect(metrics.body).toContain(name);
  });

  it("maps errors on the real server too", async () => {
    expect((await api(node, "GET", "/api/nothing-here")).body.error.code).toBe("NOT_FOUND");
    const malformed = await api(node, "POST", "/api/auth/login", { body: "{nope" });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, "INVALID_PAYLOAD"]);
    const big = await api(node, "POST", "/api/auth/login", { body: { email: "x".repeat(1024 * 1024 + 1) } });
    expect([big.status, big.body.error.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });

  it("goes 503 {db: down} while the database is unreachable, writes fail fast with UNAVAILABLE, and recovers", async () => {
    expect((await register(node)).status).toBe(201);
    await proxy.down();

    const ready = await api(node, "GET", "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ db: "down", redis: "none" });
    expect((await api(node, "GET", "/healthz")).status).toBe(200);

    const write = await register(node); // api() aborts after 20 s: a hang fails the test
    expect(write.status).toBe(503);
    expect(write.body).toEqual({ error: { code: "UNAVAILABLE", message: expect.any(String) } });
    expect(JSON.stringify(write.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|INSERT/);

    const metrics = await api<string>(node, "GET", "/metrics");
    expect(Number(/^cohort_live_db_errors_total (\d+)/m.exec(metrics.body)?.[1])).toBeGreaterThan(0);

    await proxy.up();
    await eventually(async () => (await api(node, "GET", "/readyz")).status === 200);
    expect((await register(node)).status).toBe(201);
  });
});

describe("when the database is dropped under a running node", () => {
  it("readyz goes 503 {db: down} and writes answer 503 UNAVAILABLE", async () => {
    const db = await createMigratedDatabase();
    const node = await startNode({ DATABASE_URL: db.url, JWT_SECRET, AUTH_RATE_LIMIT: "0" });
    try {
      expect((await register(node)).status).toBe(201);
      await db.drop(); // terminates the node's connections, then DROP DATABASE … WITH (FORCE)
      const ready = await api(node, "GET", "/readyz");
      expect([ready.status, ready.body]).toEqual([503, { db: "down", redis: "none" }]);
      const write = await register(node);
      expect([write.status, write.body.error?.code]).toEqual([503, "UNAVAILABLE"]);
      expect((await api(node, "GET", "/healthz")).status).toBe(200);
    } finally {
      await node.stop("SIGKILL");
    }
  });
});

describe("SIGTERM", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createMigratedDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it("tells connected sockets to reconnect, stops accepting, and exits 0 within 10 s", async () => {
    const node = await startNode({ DATABASE_URL: db.url, JWT_SECRET, AUTH_RATE_LIMIT: "0" });
    try {
      const user = await makeUser(node);
      const socket = await connect(node, user.accessToken);
      // the client's default transports: let the long-polling → WebSocket upgrade finish first, since a packet
      // written to a polling response that the shutdown closes mid-upgrade is lost (the client then reconnects
      // on the disconnect, without the hint); what this test checks is the drain itself
      await eventually(() => socket.io.engine.transport.name === "websocket");
      const draining = nextEvent(socket, "server:draining");
      const started = Date.now();
      const code = await node.stop("SIGTERM");
      const elapsed = Date.now() - started;
      expect(code).toBe(0);
      expect(elapsed).toBeLessThan(10_000);
      expect(await draining).toMatchObject({ reconnect: true });
      expect(node.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
      await expect(fetch(`${node.url}/healthz`)).rejects.toThrow();
      socket.close();
    } finally {
      await node.stop("SIGKILL");
    }
  });

  it("an idle embedded node exits 0 as well", async () => {
    const dir = await migratedDataDir();
    try {
      const node = await startNode({ DATA_DIR: dir.path });
      expect(await node.stop("SIGTERM")).toBe(0);
    } finally {
      dir.remove();
    }
  });
});

describe("migrations at start-up", () => {
  it("two processes migrating one empty database at once both start", async () => {
    const db = await createTestDatabase();
    const nodes: ProcessNode[] = [];
    try {
      const env = { DATABASE_URL: db.url, JWT_SECRET };
      nodes.push(...(await Promise.all([startNode(env), startNode(env)])));
      for (const node of nodes) expect((await api(node, "GET", "/readyz")).body).toEqual({ db: "ok", redis: "none" });
      const applied = nodes.flatMap((n) => n.logs.filter((l) => l.includes('"msg":"migrations applied"')));
      expect(applied).toHaveLength(1); // one node migrated, the other found nothing pending
      const rows = await sql<{ name: string }>(db.url, "SELECT name FROM migrations");
      expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
      const users = await sql(db.url, "SELECT to_regclass('public.users') AS t");
      expect(users[0].t).toBe("users");
    } finally {
      await Promise.all(nodes.map((n) => n.stop("SIGKILL")));
      await db.drop();
    }
  });

  it("`npm run migrate` migrates alone, and MIGRATIONS_RUN=false starts without migrating", async () => {
    const db = await createTestDatabase();
    try {
      const env = { PATH: CHILD_PATH, DATABASE_URL: db.url };
      const first = spawnSync(process.execPath, [MAIN.replace(/main\.js$/, "migrate.js")], { cwd: ROOT, env, encoding: "utf8" });
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('"msg":"migrations applied"');
      const second = spawnSync(process.execPath, [MAIN.replace(/main\.js$/, "migrate.js")], { cwd: ROOT, env, encoding: "utf8" });
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('"msg":"no pending migrations"');
      const node = await startNode({ DATABASE_URL: db.url, JWT_SECRET, MIGRATIONS_RUN: "false" });
      try {
        expect(node.logs.some((l) => l.includes("migrations applied"))).toBe(false);
        expect((await api(node, "GET", "/readyz")).status).toBe(200);
      } finally {
        await node.stop("SIGKILL");
      }
    } finally {
      await db.drop();
    }
  });

  it("a server that cannot reach its database at start-up exits non-zero", async () => {
    const proxy = await pgProxy();
    await proxy.down();
    await expect(startNode({ DATABASE_URL: proxy.url("nowhere"), JWT_SECRET })).rejects.toThrow(/exited with 1/);
  });
});
