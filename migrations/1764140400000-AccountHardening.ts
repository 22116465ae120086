import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * `users.token_epoch`: access tokens carry the epoch they were signed in; logout-all, a password change or a
 * reset bump it, so every earlier token is refused. `password_resets`: one-use, one-hour admin reset tokens
 * (only their hash). `cohort_invitations`: enrolment codes with a use count checked in SQL.
 */
export class AccountHardening1764140400000 implements MigrationInterface {
  name = "AccountHardening1764140400000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN token_epoch integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE password_resets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash varchar(64) NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_password_resets_hash UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX idx_password_resets_user ON password_resets (user_id)`);
    await q.query(`
      CREATE TABLE cohort_invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cohort_id uuid NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
        code varchar(64) NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('learner', 'mentor')),
        max_uses integer NOT NULL CHECK (max_uses BETWEEN 1 AND 1000),
        uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_cohort_invitations_code UNIQUE (code)
      )`);
    await q.query(`CREATE INDEX idx_cohort_invitations_cohort ON cohort_invitations (cohort_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cohort_invitations`);
    await q.query(`DROP TABLE password_resets`);
    await q.query(`ALTER TABLE users DROP COLUMN token_epoch`);
  }
}
