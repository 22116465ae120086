import type { MigrationInterface, QueryRunner } from "typeorm";

export class LiveSessions1764140200000 implements MigrationInterface {
  name = "LiveSessions1764140200000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE live_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cohort_id uuid NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
        host_id uuid NOT NULL REFERENCES users(id),
        title varchar(200) NOT NULL,
        language varchar(40) NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'live', 'ended')),
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        ended_at timestamptz
      )`);
    await q.query(`CREATE INDEX idx_live_sessions_cohort_cursor ON live_sessions (cohort_id, created_at, id)`);
    // the append-only update log; compaction folds rows into doc_snapshots and deletes them in one transaction
    await q.query(`
      CREATE TABLE doc_updates (
        id bigserial PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
        update bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX idx_doc_updates_session ON doc_updates (session_id, id)`);
    await q.query(`
      CREATE TABLE doc_snapshots (
        session_id uuid PRIMARY KEY REFERENCES live_sessions(id) ON DELETE CASCADE,
        state bytea NOT NULL,
        up_to_id bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE chat_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
        author_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        client_id uuid NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_chat_messages_client UNIQUE (session_id, author_id, client_id)
      )`);
    await q.query(`CREATE INDEX idx_chat_messages_session_cursor ON chat_messages (session_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE chat_messages`);
    await q.query(`DROP TABLE doc_snapshots`);
    await q.query(`DROP TABLE doc_updates`);
    await q.query(`DROP TABLE live_sessions`);
  }
}
