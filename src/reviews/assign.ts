import type { EntityManager } from "typeorm";
import { AppError } from "../errors.js";

/**
 * Auto-assignment: the `count` other learners of the cohort with the fewest open assignments (counted
 * across all cohorts: it is the reviewer's load), ties broken at random, never the author.
 *
 * Runs inside the review's transaction. It first locks the candidates' user rows, in id order
 * (`FOR NO KEY UPDATE`: it does not block foreign-key checks or reads), so two concurrent requests that
 * share a candidate — in this cohort or any other — run one after the other, and the second counts the
 * first's committed assignments. The fixed lock order rules out deadlocks between such requests.
 */
export async function pickReviewers(m: EntityManager, cohortId: string, authorId: string, count: number): Promise<string[]> {
  const candidates = (await m.query(
    `SELECT u.id FROM memberships ms JOIN users u ON u.id = ms.user_id
      WHERE ms.cohort_id = $1 AND ms.role = 'learner' AND ms.user_id <> $2
      ORDER BY u.id
        FOR NO KEY UPDATE OF u`,
    [cohortId, authorId],
  )) as { id: string }[];
  if (candidates.length === 0) return [];
  // a fresh statement after the locks: it sees every assignment committed by the transactions we waited for
  const picked = (await m.query(
    `SELECT c.id FROM unnest($1::uuid[]) AS c(id)
       LEFT JOIN review_assignments a ON a.reviewer_id = c.id AND a.open
      GROUP BY c.id
      ORDER BY count(a.reviewer_id), random()
      LIMIT $2`,
    [candidates.map((c) => c.id), count],
  )) as { id: string }[];
  return picked.map((p) => p.id);
}

/** Explicit reviewers must be members of the cohort (any role) other than the author: else 400 listing them. */
export async function checkExplicitReviewers(m: EntityManager, cohortId: string, authorId: string, ids: string[]): Promise<void> {
  if (ids.includes(authorId)) {
    throw new AppError("INVALID_PAYLOAD", "invalid body: reviewerIds must not include the author", [
      { path: "reviewerIds", message: "must not include the author" },
    ]);
  }
  if (ids.length === 0) return;
  const rows = (await m.query(`SELECT user_id FROM memberships WHERE cohort_id = $1 AND user_id = ANY($2::uuid[])`, [
    cohortId,
    ids,
  ])) as {
    user_id: string;
  }[];
  const members = new Set(rows.map((r) => r.user_id));
  const outsiders = ids.filter((id) => !members.has(id));
  if (outsiders.length > 0) {
    throw new AppError("INVALID_PAYLOAD", "invalid body: reviewerIds must be members of the cohort", [
      { path: "reviewerIds", message: "not members of this cohort", ids: outsiders },
    ]);
  }
}
