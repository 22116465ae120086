import { MigrationExecutor, type DataSource } from "typeorm";

/** Arbitrary constant shared by every node: the advisory lock that serialises migrations. */
const MIGRATION_LOCK_KEY = 720_431_977;

/**
 * Runs pending migrations on one connection while it holds a session-level advisory lock, so several
 * nodes starting at once against one empty database migrate it once (TypeORM takes no lock of its own).
 * The executor shares that connection, which also keeps PGlite's single session free of deadlocks.
 */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      const executor = new MigrationExecutor(ds, runner);
      executor.transaction = "each";
      const applied = await executor.executePendingMigrations();
      return applied.map((m) => m.name);
    } finally {
      await runner.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
