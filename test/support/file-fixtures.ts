/**
 * Fixtures that live as long as a test file: made in its beforeAll, ended in its afterAll (in reverse order of
 * registration, vitest's default `sequence.hooks: "stack"`).
 */
import { afterAll, beforeAll } from "vitest";
import { type Cluster, type ClusterOptions, startCluster } from "./clusters.js";
import type { NewSession } from "./contract.js";
import { type PrivateRedis, startPrivateRedis } from "./redis.js";
import type { TestUser } from "./rest.js";
import type { Node } from "./servers.js";
import { makeMentoredCohort, type MentoredCohort, startLiveSession } from "./sessions.js";

/** Starts `n` in-process nodes before the file's tests, hands them to `ready`, and closes them after the tests. */
export function clusterForFile(n: number, ready: (cluster: Cluster) => void, opts: ClusterOptions = {}): void {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(n, opts);
    ready(cluster);
  });
  afterAll(async () => {
    await cluster?.close();
  });
}

/** How a fixture starts its cluster: `startCluster` (in-process nodes) or `startProcessCluster` (server processes). */
export type StartCluster<N extends Node> = (n: number, opts: ClusterOptions) => Promise<Cluster<N>>;

/** A cluster and a mentor's cohort on its first node, as a file's tests read them once its beforeAll has run. */
export interface CohortCluster<N extends Node = Node> extends MentoredCohort {
  readonly cluster: Cluster<N>;
}

/** A `CohortCluster` with a live session the mentor has started in the cohort. */
export interface LiveSessionCluster<N extends Node = Node> extends CohortCluster<N> {
  readonly sessionId: string;
}

/** A `LiveSessionCluster` of in-process nodes whose Redis is a private one the tests may stop and restart. */
export interface PrivateRedisSessionCluster extends LiveSessionCluster {
  readonly redis: PrivateRedis;
}

/** What a `CohortCluster` is asked for: its cluster's options and the cohort's learners. */
export interface CohortOptions {
  /** How many learners the cohort has. */
  learners: number;
  /** The indices of the nodes the learners register on, in turn (default: the first node, as the mentor). */
  learnersOn?: number[];
  /** How the cluster is started (its environment beyond the defaults). */
  cluster?: ClusterOptions;
}

/** What a `LiveSessionCluster` is asked for: the cohort, and the session the mentor creates and starts. */
export interface LiveSessionOptions extends CohortOptions {
  session: NewSession;
}

/** Everything any of the fixtures below asks `worldForFile` for. */
interface WorldPlan<N extends Node> extends CohortOptions {
  start: StartCluster<N>;
  nodes: number;
  session?: NewSession;
  privateRedis?: boolean;
}

/** A value the file's beforeAll makes: throws when read before then, or when the file did not ask for it. */
function made<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is made in the file's beforeAll: not yet, or not asked for`);
  return value;
}

/**
 * Makes, in one beforeAll, what `plan` asks for (a private Redis, the cluster, the cohort, the live session) and
 * ends it in one afterAll (the cluster, then the Redis); the fields read what was made.
 */
function worldForFile<N extends Node>(plan: WorldPlan<N>): CohortCluster<N> & { sessionId: string; redis: PrivateRedis } {
  let redis: PrivateRedis | undefined;
  let cluster: Cluster<N> | undefined;
  let cohort: MentoredCohort | undefined;
  let sessionId: string | undefined;
  beforeAll(async () => {
    const opts = plan.cluster ?? {};
    if (plan.privateRedis) redis = await startPrivateRedis();
    cluster = await plan.start(plan.nodes, redis ? { ...opts, env: { ...opts.env, REDIS_URL: redis.url } } : opts);
    const nodes = cluster.nodes;
    cohort = await makeMentoredCohort(
      nodes[0],
      plan.learners,
      (plan.learnersOn ?? [0]).map((i) => nodes[i]),
    );
    if (plan.session) sessionId = await startLiveSession(nodes[0], cohort.mentor, cohort.cohortId, plan.session);
  });
  afterAll(async () => {
    await cluster?.close();
    await redis?.stop();
  });
  return {
    get cluster(): Cluster<N> {
      return made(cluster, "the cluster");
    },
    get mentor(): TestUser {
      return made(cohort, "the cohort").mentor;
    },
    get learners(): TestUser[] {
      return made(cohort, "the cohort").learners;
    },
    get cohortId(): string {
      return made(cohort, "the cohort").cohortId;
    },
    get sessionId(): string {
      return made(sessionId, "the live session");
    },
    get redis(): PrivateRedis {
      return made(redis, "the private Redis");
    },
  };
}

/** Starts `n` nodes with `start` and a mentor's cohort on the first before the file's tests; closes them after. */
export function cohortClusterForFile<N extends Node>(start: StartCluster<N>, n: number, opts: CohortOptions): CohortCluster<N> {
  return worldForFile({ ...opts, start, nodes: n });
}

/** `cohortClusterForFile` with a live session the mentor creates and starts on the first node. */
export function liveSessionClusterForFile<N extends Node>(
  start: StartCluster<N>,
  n: number,
  opts: LiveSessionOptions,
): LiveSessionCluster<N> {
  return worldForFile({ ...opts, start, nodes: n });
}

/** `liveSessionClusterForFile` of `n` in-process nodes on a private Redis of the file's (stopped after the nodes). */
export function privateRedisSessionClusterForFile(n: number, opts: LiveSessionOptions): PrivateRedisSessionCluster {
  return worldForFile({ ...opts, start: startCluster, nodes: n, privateRedis: true });
}
