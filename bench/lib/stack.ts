import { fileURLToPath } from "node:url";
import { JWT_SECRET, TEST_REDIS_URL, redisPrefix, startCluster, type Cluster } from "../../test/helpers.js";
import { Fixtures } from "./fixtures.js";
import { cpuSeconds, rssBytes, spawnServer, type ServerProcess } from "./procs.js";

const BASELINE = fileURLToPath(new URL("../baseline/server.ts", import.meta.url));

export type Target = "baseline" | "product";

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
  close(): Promise<void>;
}

/**
 * Two cohort-live nodes (cluster mode) and two baseline nodes on one fresh PostgreSQL database and one Redis,
 * each pair with its own key prefix. `productNodeOptions` (e.g. --cpu-prof) goes to the cohort-live nodes.
 */
export async function startStack(opts: { productNodeOptions?: string; targets: Target[] }): Promise<Stack> {
  const cluster: Cluster = await startCluster(2, {
    env: {
      // the per-socket event limit is part of the product, but the fan-out load is within it anyway
      ...(opts.productNodeOptions ? { NODE_OPTIONS: opts.productNodeOptions } : {}),
    },
  });
  const baseline: ServerProcess[] = [];
  try {
    if (opts.targets.includes("baseline")) {
      const env = { DATABASE_URL: cluster.dbUrl, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: redisPrefix(), JWT_SECRET };
      baseline.push(...(await Promise.all([0, 1].map(() => spawnServer([...process.execArgv, BASELINE], env)))));
    }
  } catch (err) {
    await cluster.close();
    throw err;
  }
  const nodes: Record<Target, BenchNode[]> = {
    product: cluster.nodes.map((n) => ({ url: n.url, pid: n.proc.pid })),
    baseline: baseline.map((b) => ({ url: b.url, pid: b.proc.pid })),
  };
  const fixtures = new Fixtures(cluster.dbUrl, JWT_SECRET);
  let closing = false;
  for (const n of cluster.nodes)
    void n.exited.then((code) => {
      if (!closing) console.error(`[bench] a cohort-live node exited (${code}):\n${n.logs.slice(-5).join("\n")}`);
    });
  return {
    nodes,
    fixtures,
    dbUrl: cluster.dbUrl,
    cpu: (t) => nodes[t].map((n) => cpuSeconds(n.pid)),
    rss: (t) => nodes[t].map((n) => rssBytes(n.pid)),
    async close() {
      closing = true;
      await fixtures.close().catch(() => undefined);
      // gracefully first, so a --cpu-prof profile is written; then the database is dropped
      await Promise.all([
        ...cluster.nodes.map((n) => Promise.race([n.stop("SIGTERM"), sleep(10_000)])),
        ...baseline.map((b) => b.stop()),
      ]);
      await cluster.close();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
