import type { MigrationInterface, QueryRunner } from "typeorm";

export class AccountsAndCohorts1764140000000 implements MigrationInterface {
  name = "AccountsAndCohorts1764140000000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(320) NOT NULL,
        password_hash varchar(255) NOT NULL,
        display_name varchar(80) NOT NULL,
        role varchar(16) NOT NULL DEFAULT 'learner' CHECK (role IN ('learner', 'mentor', 'admin')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_users_email UNIQUE (email),
        CONSTRAINT ck_users_email_lower CHECK (email = lower(email))
      )`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash varchar(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_refresh_tokens_hash UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX idx_refresh_tokens_user ON refresh_tokens (user_id)`);
    await q.query(`CREATE INDEX idx_refresh_tokens_family ON refresh_tokens (family_id)`);
    await q.query(`
      CREATE TABLE cohorts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(120) NOT NULL,
        slug varchar(64) NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_cohorts_slug UNIQUE (slug)
      )`);
    await q.query(`
      CREATE TABLE memberships (
        cohort_id uuid NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role varchar(16) NOT NULL CHECK (role IN ('learner', 'mentor')),
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (cohort_id, user_id)
      )`);
    await q.query(`CREATE INDEX idx_memberships_user ON memberships (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE memberships`);
    await q.query(`DROP TABLE cohorts`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE users`);
  }
}
