import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Document history (issue 11): every update keeps its author, and compaction no longer deletes the log. A row
 * folded into the snapshot is marked `compacted` instead, so the snapshot is a checkpoint for fast loads while
 * the log stays readable in commit order. Rows deleted by earlier compactions are gone; their authors unknown.
 */
export class DocumentHistory1764142000000 implements MigrationInterface {
  name = "DocumentHistory1764142000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE doc_updates ADD COLUMN user_id uuid REFERENCES users(id) ON DELETE SET NULL`);
    await q.query(`ALTER TABLE doc_updates ADD COLUMN compacted boolean NOT NULL DEFAULT false`);
    // a load reads the snapshot and the rows not yet folded into it
    await q.query(`CREATE INDEX idx_doc_updates_unfolded ON doc_updates (session_id, id) WHERE NOT compacted`);
    // bumped by each compaction: a compaction computed off the lock commits only if no other one did meanwhile
    await q.query(`ALTER TABLE doc_snapshots ADD COLUMN version integer NOT NULL DEFAULT 0`);
    // a compaction's claim on the session (one runner cluster-wide); it expires if its node dies
    await q.query(`ALTER TABLE doc_snapshots ADD COLUMN compacting_until timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE doc_snapshots DROP COLUMN compacting_until`);
    await q.query(`ALTER TABLE doc_snapshots DROP COLUMN version`);
    await q.query(`DROP INDEX idx_doc_updates_unfolded`);
    await q.query(`ALTER TABLE doc_updates DROP COLUMN compacted`);
    await q.query(`ALTER TABLE doc_updates DROP COLUMN user_id`);
  }
}
