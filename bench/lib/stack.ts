import { fileURLToPath } from "node:url";
import { createTestDatabase } from "../../test/support/databases.js";
import { MAIN } from "../../test/support/processes.js";
import { redisPrefix, TEST_REDIS_URL } from "../../test/support/redis.js";
import { ADMIN_EMAIL, JWT_SECRET } from "../../test/support/servers.js";
import { Fixtures } from "./fixtures.js";
import { cpuSeconds, rssBytes, spawnServer, type ServerProcess } from "./procs.js";

const BASELINE = fileURLToPath(new URL("../baseline/server.ts", import.meta.url));
const FLOOR = fileURLToPath(new URL("../baseline/floor-server.ts", import.meta.url));

/** `before`: another build of cohort-live (`--before <dist/src/main.js>`), for an A/B in the same invocation. */
export type Target = "baseline" | "product" | "before" | "floor";

/** A server process the bench measures, whichever kind. */
export interface BenchNode {
  url: string;
  pid: number | undefined;
}

export interface Stack {
  nodes: Record<Target, BenchNode[]>;
  fixtures: Fixtures;
  dbUrl: string;
  /** CPU seconds of each node of `target` so far. */
  cpu(target: Target): number[];
  rss(target: Target): number[];
  /** The warn, error and fatal log lines of each node of `target`. */
  problems(target: Target): string[][];
  close(): Promise<void>;
}

/**
 * Two cohort-live nodes (cluster mode) and two baseline nodes on one fresh PostgreSQL database and one Redis,
 * each pair with its own key prefix. `productFlags` (e.g. --cpu-prof) and `productEnv` go to the cohort-live nodes.
 */
export async function startStack(opts: {
  productFlags?: string[];
  productEnv?: Record<string, string>;
  targets: Target[];
  beforeMain?: string;
  /** The floor servers store each update before acknowledging it (FLOOR_DURABLE). */
  durableFloor?: boolean;
}): Promise<Stack> {
  const db = await createTestDatabase();
  const servers: Record<Target, ServerProcess[]> = { product: [], baseline: [], before: [], floor: [] };
  const all = () => [...servers.product, ...servers.baseline, ...servers.before, ...servers.floor];
  const stopAll = () => Promise.all(all().map((s) => s.stop()));
  try {
    const productEnv = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix(),
      JWT_SECRET,
      ADMIN_EMAILS: ADMIN_EMAIL,
      // every simulated client connects from this one address: the per-address and per-user limits, which the
      // baseline does not have, would refuse most of them (a real cohort connects from many addresses)
      AUTH_RATE_LIMIT: "0",
      CONNECT_RATE_LIMIT: "0",
      MAX_SOCKETS_PER_USER: "0",
      LOG_LEVEL: "info",
      ...opts.productEnv,
    };
    const product = () => spawnServer([...(opts.productFlags ?? []), MAIN], productEnv);
    const beforeMain = opts.beforeMain;
    // the first node migrates the empty database
    servers.product.push(await product());
    servers.product.push(await product());
    if (beforeMain && opts.targets.includes("before")) {
      // its own Redis prefix; the same database (its migrations are the same or a prefix of ours)
      const env = { ...productEnv, REDIS_PREFIX: redisPrefix(), MIGRATIONS_RUN: "false" };
      for (let i = 0; i < 2; i++) servers.before.push(await spawnServer([...(opts.productFlags ?? []), beforeMain], env));
    }
    if (opts.targets.includes("baseline")) {
      const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: redisPrefix(), JWT_SECRET };
      for (let i = 0; i < 2; i++) servers.baseline.push(await spawnServer([...process.execArgv, BASELINE], env));
    }
    if (opts.targets.includes("floor")) {
      const env = {
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: redisPrefix(),
        JWT_SECRET,
        FLOOR_DURABLE: opts.durableFloor ? "1" : "0",
      };
      for (let i = 0; i < 2; i++) servers.floor.push(await spawnServer([...process.execArgv, FLOOR], env));
    }
  } catch (err) {
    await stopAll();
    await db.drop();
    throw err;
  }
  const nodes = {
    product: servers.product.map((n) => ({ url: n.url, pid: n.proc.pid })),
    baseline: servers.baseline.map((n) => ({ url: n.url, pid: n.proc.pid })),
    before: servers.before.map((n) => ({ url: n.url, pid: n.proc.pid })),
    floor: servers.floor.map((n) => ({ url: n.url, pid: n.proc.pid })),
  };
  const fixtures = new Fixtures(db.url, JWT_SECRET);
  let closing = false;
  for (const s of all())
    s.proc.once("exit", (code) => {
      if (!closing) console.error(`[bench] a server exited (${code}):\n${s.logs.slice(-5).join("\n")}`);
    });
  return {
    nodes,
    fixtures,
    dbUrl: db.url,
    cpu: (t) => nodes[t].map((n) => cpuSeconds(n.pid)),
    rss: (t) => nodes[t].map((n) => rssBytes(n.pid)),
    problems: (t) => servers[t].map((s) => s.problems),
    async close() {
      closing = true;
      await fixtures.close().catch(() => undefined);
      // SIGTERM first (a --cpu-prof profile is written on a graceful exit), then the database is dropped
      await stopAll();
      await db.drop();
    },
  };
}
