import PgBoss from "pg-boss";
import { Counter, type Registry } from "prom-client";
import type { DataSource, EntityManager } from "typeorm";
import type { Logger } from "../logger.js";
import { dataSourceExecutor, transactionExecutor } from "./db-adapter.js";

/** Where pg-boss keeps its tables (its own schema, created and migrated by pg-boss itself). */
export const JOBS_SCHEMA = "pgboss";

/** One kind of background work. The retry settings travel with each job, from the node that enqueued it. */
export interface JobSpec<T extends object> {
  queue: string;
  /** Tries after the first one. */
  retryLimit: number;
  /** Seconds before the first retry; with `retryBackoff` each next wait doubles (pg-boss adds up to 100 % jitter). */
  retryDelaySeconds: number;
  retryBackoff: boolean;
  /** An attempt still running after this (or whose node died) is failed and retried by the maintenance pass. */
  expireInSeconds: number;
  /** Jobs fetched per poll and handled concurrently. */
  batchSize?: number;
  pollingIntervalSeconds?: number;
  handle(data: T, job: { id: string; retryCount: number; retryLimit: number }): Promise<void>;
}

export interface JobQueue {
  /** Declares a queue and its worker; call before `start`. */
  define<T extends object>(spec: JobSpec<T>): void;
  /**
   * Adds jobs inside the caller's transaction (`db.transaction(m => …)`): they exist exactly when that
   * transaction commits. After the commit, `wake(queue)` lets this node pick them up without waiting for a poll.
   */
  enqueue<T extends object>(manager: EntityManager, queue: string, items: T[]): Promise<void>;
  /** Adds jobs in their own transaction (work that follows no write of its own). */
  enqueueNow<T extends object>(queue: string, items: T[]): Promise<void>;
  wake(queue: string): void;
  /** Runs `queue` on a cron schedule (UTC), once per tick across all nodes. */
  schedule(queue: string, cron: string): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The database job queue (pg-boss): jobs are rows in the server's own database (PostgreSQL or PGlite), any
 * node's worker takes them (`FOR UPDATE SKIP LOCKED`), and a job whose node died is retried after it expires.
 */
export function createJobQueue(deps: {
  db: DataSource;
  logger: Logger;
  registry: Registry;
  /** Creates / migrates pg-boss's schema at start (else only checks it is there). */
  migrate: boolean;
}): JobQueue {
  const { db, logger } = deps;
  const specs = new Map<string, JobSpec<object>>();
  const schedules = new Map<string, string>();
  const workerIds = new Map<string, string>();
  let stopping = false;
  const jobsTotal = new Counter({
    name: "cohort_live_jobs_total",
    help: "Background job attempts by queue and outcome (completed, retry: failed and will run again, failed: no tries left)",
    labelNames: ["queue", "outcome"] as const,
    registers: [deps.registry],
  });
  const executor = dataSourceExecutor(db);
  const boss = new PgBoss({
    db: executor,
    schema: JOBS_SCHEMA,
    migrate: deps.migrate,
    // the pass that fails expired attempts (a dead node's jobs) so they are retried: often enough that a push
    // due when a node died goes out within the contract's 2 minutes of a node running again
    maintenanceIntervalSeconds: 30,
  });
  // pg-boss emits 'error' for failed polls and maintenance; unhandled, an EventEmitter error would end the process
  boss.on("error", (err: Error) => logger.warn({ err: err.message }, "job queue error"));

  const toInsert = (queue: string, items: object[]): PgBoss.JobInsert[] => {
    const spec = specs.get(queue);
    if (!spec) throw new Error(`unknown job queue ${queue}`);
    return items.map((data) => ({
      name: queue,
      data,
      retryLimit: spec.retryLimit,
      retryDelay: spec.retryDelaySeconds,
      retryBackoff: spec.retryBackoff,
      expireInSeconds: spec.expireInSeconds,
    }));
  };

  async function runBatch(spec: JobSpec<object>, jobs: PgBoss.JobWithMetadata<object>[]) {
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await spec.handle(job.data, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
          jobsTotal.inc({ queue: spec.queue, outcome: "completed" });
        } catch (err) {
          const outcome = job.retryCount < job.retryLimit ? "retry" : "failed";
          jobsTotal.inc({ queue: spec.queue, outcome });
          logger.info({ queue: spec.queue, jobId: job.id, outcome, err: (err as Error).message }, "job attempt failed");
          // only this job fails; pg-boss completes the rest of the batch when the handler returns
          await boss.fail(spec.queue, job.id, { message: (err as Error).message }).catch(() => undefined);
        }
      }),
    );
  }

  async function ensureQueue(name: string) {
    // nodes starting at once may all try: PostgreSQL may answer one of them "deadlock detected" (40P01) while the
    // other's CREATE has not committed yet, so a failed attempt waits a little and looks again before retrying
    for (let attempt = 1; ; attempt++) {
      if (await boss.getQueue(name)) return;
      try {
        await boss.createQueue(name);
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200 * attempt));
      }
    }
  }

  return {
    define(spec) {
      specs.set(spec.queue, spec as JobSpec<object>);
    },
    async enqueue(manager, queue, items) {
      if (items.length === 0) return;
      await boss.insert(toInsert(queue, items), { db: transactionExecutor(manager) });
    },
    async enqueueNow(queue, items) {
      if (items.length === 0) return;
      await boss.insert(toInsert(queue, items));
    },
    wake(queue) {
      const id = workerIds.get(queue);
      if (id) boss.notifyWorker(id);
    },
    schedule(queue, cron) {
      schedules.set(queue, cron);
    },
    async start() {
      await boss.start();
      for (const name of specs.keys()) await ensureQueue(name);
      for (const [name, cron] of schedules) await boss.schedule(name, cron, {}, { tz: "UTC" });
      for (const spec of specs.values()) {
        const id = await boss.work<object>(
          spec.queue,
          { batchSize: spec.batchSize ?? 1, pollingIntervalSeconds: spec.pollingIntervalSeconds ?? 1, includeMetadata: true },
          async (jobs) => {
            if (stopping) throw new Error("the node is stopping");
            await runBatch(spec, jobs);
          },
        );
        workerIds.set(spec.queue, id);
      }
    },
    async stop() {
      // a fetch still in flight hands its jobs back failed (retried later) instead of running them now
      stopping = true;
      // running attempts get 2 s to finish (inside the 10 s shutdown budget); the rest are failed, so retried later
      await boss.stop({ graceful: true, wait: true, timeout: 2000, close: false });
      // statements pg-boss started without awaiting them must not outlive the database (closed right after)
      await executor.settled(2000);
    },
  };
}

/** Creates or migrates pg-boss's schema and returns (what `npm run migrate` does besides the app's migrations). */
export async function migrateJobSchema(db: DataSource): Promise<void> {
  const boss = new PgBoss({ db: dataSourceExecutor(db), schema: JOBS_SCHEMA, migrate: true, supervise: false, schedule: false });
  boss.on("error", () => undefined);
  await boss.start();
  await boss.stop({ graceful: false, wait: true, close: false });
}
