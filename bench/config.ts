import { z } from "zod";

const count = (fallback: number) => z.coerce.number().int().positive().optional().default(fallback);

/** The bench's settings, parsed once from the environment (the server's own come from src/config). */
const schema = z.object({
  BENCH_SESSIONS: count(20),
  BENCH_MEMBERS: count(25),
  BENCH_RATE: count(500),
  BENCH_SECONDS: count(20),
  BENCH_SHARDS: count(2),
  BENCH_APPLY: z.enum(["each", "batched"]).optional().default("each"),
  /**
   * big-docs: how many joiners per session keep an editor's Y.Doc (apply their join state and every relayed
   * update, compared with the stored document at the end); the others receive the same and count the bytes.
   */
  BENCH_MIRRORS: count(2),
  BENCH_NODE_OPTIONS: z.string().optional(),
  /**
   * big-docs: how many of the two nodes the clients connect to (1: the second runs idle in the cluster, as on a
   * machine of its own, so the load's servers get the cores the second node's share of the work would take).
   */
  BENCH_LOADED_NODES: z.coerce.number().int().min(1).max(2).optional().default(2),
  /** big-docs: the seed of the joiners' schedule (each joiner's moment in the join window). */
  BENCH_SEED: z.coerce.number().int().optional().default(1),
  /** big-docs: the client processes' nice value (e.g. 10: the servers, PostgreSQL and Redis get the CPU first). */
  BENCH_CLIENT_NICE: z.coerce.number().int().min(-20).max(19).optional(),
  /** A directory: the server nodes run with --cpu-prof into it (big-docs; `npm run bench -- --prof <dir>`). */
  BENCH_PROF: z.string().optional(),
  /** A directory: big-docs' client processes run with --cpu-prof into it. */
  BENCH_CLIENT_PROF: z.string().optional(),
  /**
   * big-docs: the servers the clients load. `floor` is bench/baseline/floor-server.ts (relays and answers joins
   * from memory, stores nothing): what the machine allows any Socket.IO server under that load; `durable-floor`
   * the same with each update INSERTed before its ack.
   */
  BENCH_SERVER: z.enum(["product", "floor", "durable-floor"]).optional().default("product"),
  /** Set by the bench itself in the client processes it forks. */
  BENCH_SHARD: z.string().optional(),
});

/** `--scenario <name>` on the command line (`npm run bench -- --scenario big-docs`); the default is the typing load. */
const scenarioArg = process.argv.indexOf("--scenario");
const scenario = z.enum(["typing", "big-docs"]).safeParse(scenarioArg >= 0 ? process.argv[scenarioArg + 1] : "typing");
if (!scenario.success) {
  console.error("bench: --scenario must be typing or big-docs");
  process.exit(2);
}

const parsed = schema.safeParse(process.env);
if (!parsed.success) {
  const issue = parsed.error.issues[0];
  console.error(`bench: ${String(issue?.path[0])} ${issue?.message}`);
  process.exit(2);
}
const env = parsed.data;

export const benchConfig = {
  scenario: scenario.data,
  sessions: env.BENCH_SESSIONS,
  members: env.BENCH_MEMBERS,
  rate: env.BENCH_RATE,
  seconds: env.BENCH_SECONDS,
  shards: env.BENCH_SHARDS,
  /** Each client applies every update it receives at once (0), or what it received merged every 50 ms. */
  applyEveryMs: env.BENCH_APPLY === "batched" ? 50 : 0,
  /** big-docs: joiners per session that apply what they receive into a Y.Doc (the rest count bytes). */
  mirrorsPerSession: env.BENCH_MIRRORS,
  seed: env.BENCH_SEED,
  loadedNodes: env.BENCH_LOADED_NODES,
  /** Extra NODE_OPTIONS for the server nodes, e.g. "--max-old-space-size=512". */
  serverNodeOptions: env.BENCH_NODE_OPTIONS,
  profileDir: env.BENCH_PROF,
  clientProfileDir: env.BENCH_CLIENT_PROF,
  clientNice: env.BENCH_CLIENT_NICE,
  server: env.BENCH_SERVER,
  isShard: env.BENCH_SHARD !== undefined,
  /** The environment a forked client process gets: this one, marked as a shard. */
  shardEnv: { ...process.env, BENCH_SHARD: "1" },
};
