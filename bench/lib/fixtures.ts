/**
 * Bench data written straight into the database (users, cohorts, live sessions, notifications) with access
 * tokens signed by the bench: registering thousands of users through the API would time password hashing.
 */
import { randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import pg from "pg";

export interface BenchUser {
  id: string;
  token: string;
}

export class Fixtures {
  private readonly pool: pg.Pool;
  constructor(
    dbUrl: string,
    private readonly secret: string,
  ) {
    this.pool = new pg.Pool({ connectionString: dbUrl, max: 2 });
  }

  query<T extends pg.QueryResultRow>(text: string, params: unknown[] = []) {
    return this.pool.query<T>(text, params);
  }

  /** `n` users (learners, or mentors) with hour-long access tokens. */
  async users(n: number, role: "learner" | "mentor" = "learner"): Promise<BenchUser[]> {
    const tag = randomBytes(4).toString("hex");
    const { rows } = await this.query<{ id: string }>(
      `INSERT INTO users (email, password_hash, display_name, role)
       SELECT 'bench-' || $1 || '-' || i || '@cohort.test', 'unusable', 'Bench ' || i, $2 FROM generate_series(1, $3::int) i
       RETURNING id`,
      [tag, role, n],
    );
    return rows.map(({ id }) => ({
      id,
      token: jwt.sign({ role }, this.secret, { algorithm: "HS256", subject: id, expiresIn: 3600 }),
    }));
  }

  /** A cohort whose first user is its mentor and the rest learners. */
  async cohort(members: BenchUser[]): Promise<string> {
    const slug = `bench-${randomBytes(5).toString("hex")}`;
    const { rows } = await this.query<{ id: string }>(
      `INSERT INTO cohorts (name, slug, created_by) VALUES ($1, $1, $2) RETURNING id`,
      [slug, members[0].id],
    );
    const id = rows[0].id;
    await this.query(
      `INSERT INTO memberships (cohort_id, user_id, role)
       SELECT $1, u, CASE WHEN o = 1 THEN 'mentor' ELSE 'learner' END FROM unnest($2::uuid[]) WITH ORDINALITY AS m(u, o)`,
      [id, members.map((m) => m.id)],
    );
    return id;
  }

  /** A live session of the cohort hosted by `host`. */
  async liveSession(cohortId: string, host: BenchUser): Promise<string> {
    const { rows } = await this.query<{ id: string }>(
      `INSERT INTO live_sessions (cohort_id, host_id, title, language, status, started_at)
       VALUES ($1, $2, 'Bench', 'typescript', 'live', now()) RETURNING id`,
      [cohortId, host.id],
    );
    return rows[0].id;
  }

  /** `count` notifications for one user, one a second apart, every tenth unread. */
  async notifications(user: BenchUser, count: number) {
    await this.query(
      `INSERT INTO notifications (user_id, type, payload, created_at, read_at)
       SELECT $1, 'announcement', jsonb_build_object('title', 'Bench ' || i, 'body', repeat('x', 80)),
              now() - make_interval(secs => $2::int - i), CASE WHEN i % 10 = 0 THEN NULL ELSE now() END
         FROM generate_series(1, $2::int) i`,
      [user.id, count],
    );
    await this.query("ANALYZE notifications");
  }

  close() {
    return this.pool.end();
  }
}
