import type { EntityManager } from "typeorm";

/**
 * Auto-assignment: the `count` other learners of the cohort with the fewest open assignments (counted
 * across all cohorts: it is the reviewer's load), ties broken at random, never the author.
 *
 * Raw SQL because the rule lives in the locks, which the query builder cannot express: it first locks the
 * candidates' user rows in id order (`FOR NO KEY UPDATE OF u` on a join: it does not block foreign-key checks or
 * reads), so two concurrent requests that share a candidate — in this cohort or any other — run one after the
 * other, and the second counts the first's committed assignments; the fixed order rules out deadlocks. Then one
 * set-based statement over the locked ids counts and picks. Runs inside the review's transaction.
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
