/** Nodes sharing one fresh PostgreSQL database and one Redis key prefix (cluster mode). */
import { createMigratedDatabase } from "./databases.js";
import { startInProcess } from "./in-process.js";
import { type ProcessNode, startNode } from "./processes.js";
import { redisPrefix, TEST_REDIS_URL } from "./redis.js";
import { ADMIN_EMAIL, JWT_SECRET, type Node, type ServerEnv } from "./servers.js";

export interface Cluster<N extends Node = Node> {
  nodes: N[];
  dbUrl: string;
  env: Record<string, string>;
  /** Starts one more node on the same database and Redis prefix. */
  addNode(extra?: Record<string, string>): Promise<N>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  env?: Record<string, string>;
  /** `false`: no Redis (a single node on PostgreSQL with the in-memory engine). */
  redis?: boolean;
  /** Node flags of process nodes (e.g. --cpu-prof in the bench). */
  flags?: string[];
}

async function cluster<N extends Node>(
  start: (env: ServerEnv) => Promise<N>,
  kill: (node: N) => Promise<unknown>,
  n: number,
  opts: ClusterOptions,
): Promise<Cluster<N>> {
  const db = await createMigratedDatabase();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    JWT_SECRET,
    ADMIN_EMAILS: ADMIN_EMAIL,
    AUTH_RATE_LIMIT: "0",
    ...(opts.redis === false ? {} : { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: redisPrefix() }),
    ...opts.env,
  };
  const nodes: N[] = [];
  // the first node migrates; the rest start in parallel
  nodes.push(await start(env));
  nodes.push(...(await Promise.all(Array.from({ length: n - 1 }, () => start(env)))));
  return {
    nodes,
    dbUrl: db.url,
    env,
    async addNode(extra = {}) {
      const node = await start({ ...env, ...extra });
      nodes.push(node);
      return node;
    },
    async close() {
      await Promise.all(nodes.map(kill));
      await db.drop();
    },
  };
}

/** `n` in-process nodes (see in-process.ts): the default for tests that need no process boundary. */
export const startCluster = (n = 2, opts: ClusterOptions = {}): Promise<Cluster> =>
  cluster(startInProcess, (node) => node.stop(), n, opts);

/** `n` server processes, for tests that kill, signal or restart nodes. */
export const startProcessCluster = (n = 2, opts: ClusterOptions = {}): Promise<Cluster<ProcessNode>> =>
  cluster(
    (env) => startNode(env, undefined, undefined, opts.flags),
    (node) => node.stop("SIGKILL"),
    n,
    opts,
  );
