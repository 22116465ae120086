import type { MigrationInterface, QueryRunner } from "typeorm";

export class PeerReviews1764140300000 implements MigrationInterface {
  name = "PeerReviews1764140300000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cohort_id uuid NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
        author_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        title varchar(200) NOT NULL,
        description text,
        language varchar(40) NOT NULL,
        code text NOT NULL,
        revision integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
        status varchar(24) NOT NULL DEFAULT 'open'
          CHECK (status IN ('open', 'changes_requested', 'approved', 'closed')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // a cohort's reviews by status (and, without a status filter, in list order)
    await q.query(`CREATE INDEX idx_reviews_cohort_status ON reviews (cohort_id, status, created_at, id)`);
    await q.query(`CREATE INDEX idx_reviews_cohort_created ON reviews (cohort_id, created_at, id)`);
    await q.query(`
      CREATE TABLE review_assignments (
        review_id uuid NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        reviewer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        verdict varchar(24) CHECK (verdict IN ('approve', 'request_changes')),
        open boolean NOT NULL DEFAULT true,
        assigned_at timestamptz NOT NULL DEFAULT now(),
        verdict_at timestamptz,
        PRIMARY KEY (review_id, reviewer_id)
      )`);
    // a reviewer's open assignments (the load that auto-assignment balances)
    await q.query(`CREATE INDEX idx_review_assignments_open ON review_assignments (reviewer_id) WHERE open`);
    await q.query(`
      CREATE TABLE review_comments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        review_id uuid NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        author_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        body text NOT NULL,
        line integer CHECK (line IS NULL OR line >= 1),
        revision integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX idx_review_comments_review ON review_comments (review_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE review_comments`);
    await q.query(`DROP TABLE review_assignments`);
    await q.query(`DROP TABLE reviews`);
  }
}
