import type { DataSource, EntityManager, QueryRunner } from "typeorm";

/** What pg-boss needs from a database: one call that runs SQL and returns rows. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

async function run(runner: QueryRunner, text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
  const result = await runner.query(text, values, true);
  return { rows: (result as { records?: unknown[] }).records ?? [] };
}

/**
 * pg-boss over the server's own DataSource, on PostgreSQL and on PGlite alike: on PGlite every statement then
 * takes the one embedded session through src/db/pglite-pool.ts like any other query, so the queue never holds
 * it while waiting. Some pg-boss commands are `BEGIN; …; COMMIT` in one string; if one fails half-way, the
 * session would stay inside an aborted transaction (on PGlite: the only session), so it is rolled back here,
 * on the same connection, before the connection is handed on.
 */
export function dataSourceExecutor(ds: DataSource): SqlExecutor & { settled(withinMs: number): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  async function execute(text: string, values?: unknown[]) {
    const runner = ds.createQueryRunner();
    try {
      return await run(runner, text, values);
    } catch (err) {
      if (/\bBEGIN\b/i.test(text)) await runner.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }
  return {
    executeSql(text, values) {
      const statement = execute(text, values);
      running.add(statement);
      const done = () => running.delete(statement);
      statement.then(done, done);
      return statement;
    },
    /**
     * Resolves once no statement is running and none was started by what the last ones settled (pg-boss starts
     * some without awaiting them: a finished job's completion, a failure after a fetch that was in flight), or
     * after `withinMs` of statements that keep coming.
     */
    async settled(withinMs) {
      const deadline = Date.now() + withinMs;
      do {
        await Promise.allSettled([...running]);
        await new Promise((resolve) => setImmediate(resolve));
      } while (running.size > 0 && Date.now() < deadline);
    },
  };
}

/** pg-boss inside the caller's transaction: a job inserted through it commits or rolls back with that transaction. */
export function transactionExecutor(manager: EntityManager): SqlExecutor {
  return {
    async executeSql(text, values) {
      const runner = manager.queryRunner;
      if (!runner?.isTransactionActive) throw new Error("enqueue must run inside a transaction (db.transaction(m => …))");
      return run(runner, text, values);
    },
  };
}
