import type { ReviewComment, ReviewStatus } from "../contract/index.js";
import type { Core } from "../core.js";
import { iso } from "../db/time.js";
import { AppError } from "../errors.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import { type ReviewDto, type ReviewerDto, type ReviewRow, toReviewDto } from "./queries.js";

/**
 * Reads of many reviews' parts in one statement each, for callers that ask for them per item (GraphQL's
 * loaders): the same rows and permission gate as the single reads, answered in the order of the keys, with an
 * error in place of an item the caller may not see.
 */

export interface AuthorPageKey {
  authorId: string;
  after?: string;
}

export interface ReviewPage {
  items: ReviewDto[];
  nextCursor: string | null;
}

interface KeyedReviewRow extends ReviewRow {
  ord: string | number;
}

interface ReviewerRow {
  review_id: string;
  cohort_id: string;
  reviewer_id: string | null;
  display_name: string | null;
  verdict: ReviewerDto["verdict"];
}

interface CommentRow {
  review_id: string;
  cohort_id: string;
  id: string | null;
  author_id: string;
  display_name: string;
  body: string;
  line: number | null;
  revision: number;
  created_at: Date | string;
}

export function createReviewBatches(core: Pick<Core, "db" | "access">) {
  const { db } = core;

  /** Each review's rows, or NOT_FOUND / FORBIDDEN for a review that is unknown or in a cohort the caller is not in. */
  async function byReview<R extends { review_id: string; cohort_id: string }, T>(
    access: UserAccess,
    reviewIds: readonly string[],
    rows: R[],
    map: (rows: R[]) => T,
  ): Promise<(T | AppError)[]> {
    const grouped = new Map<string, R[]>();
    for (const r of rows) grouped.set(r.review_id, [...(grouped.get(r.review_id) ?? []), r]);
    const refused = new Map<string, AppError>();
    for (const cohortId of new Set(rows.map((r) => r.cohort_id))) {
      await requireCohortRole(core, access, cohortId).catch((err: unknown) => {
        if (!(err instanceof AppError)) throw err;
        refused.set(cohortId, err);
      });
    }
    return reviewIds.map((id) => {
      const own = grouped.get(id);
      if (!own) return new AppError("NOT_FOUND", "review not found");
      return refused.get(own[0]!.cohort_id) ?? map(own);
    });
  }

  return {
    /** Pages of the reviews each author wrote in one cohort, oldest first, optionally of one status. */
    async byAuthors(
      access: UserAccess,
      cohortId: string,
      keys: readonly AuthorPageKey[],
      q: { status?: ReviewStatus; limit: number },
    ): Promise<(ReviewPage | AppError)[]> {
      await requireCohortRole(core, access, cohortId);
      const rows = (await db.query(
        `SELECT k.ord, x.* FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS k(author_id, after_id, ord)
         CROSS JOIN LATERAL (
           SELECT r.id, r.cohort_id, r.author_id, u.display_name AS author_name, r.title, r.description,
                  r.language, r.code, r.revision, r.status, r.created_at, r.updated_at
             FROM reviews r JOIN users u ON u.id = r.author_id
            WHERE r.cohort_id = $1 AND r.author_id = k.author_id AND ($4::text IS NULL OR r.status = $4::text)
              AND (k.after_id IS NULL OR (r.created_at, r.id) > (SELECT created_at, id FROM reviews WHERE id = k.after_id))
            ORDER BY r.created_at, r.id LIMIT $5
         ) x ORDER BY k.ord, x.created_at, x.id`,
        [cohortId, keys.map((k) => k.authorId), keys.map((k) => k.after ?? null), q.status ?? null, q.limit + 1],
      )) as KeyedReviewRow[];
      const byKey = keys.map(() => [] as ReviewRow[]);
      for (const r of rows) byKey[Number(r.ord) - 1]!.push(r);
      // an unknown cursor is 404, as in every list, not an empty page that reads as "nothing newer"
      const unknownAfter = new Set<string>();
      const emptyAfters = keys.flatMap((k, i) => (k.after && byKey[i]!.length === 0 ? [k.after] : []));
      if (emptyAfters.length > 0) {
        const found = (await db.query(`SELECT id FROM reviews WHERE id = ANY($1::uuid[]) AND cohort_id = $2`, [
          emptyAfters,
          cohortId,
        ])) as { id: string }[];
        const known = new Set(found.map((f) => f.id));
        for (const id of emptyAfters) if (!known.has(id)) unknownAfter.add(id);
      }
      return keys.map((k, i) => {
        if (k.after && unknownAfter.has(k.after)) return new AppError("NOT_FOUND", "review not found");
        const own = byKey[i]!;
        const more = own.length > q.limit;
        const kept = more ? own.slice(0, q.limit) : own;
        return { items: kept.map(toReviewDto), nextCursor: more ? kept[kept.length - 1]!.id : null };
      });
    },

    /** Each review's reviewers, in assignment order (as `GET /api/reviews/:id`). */
    async reviewers(access: UserAccess, reviewIds: readonly string[]): Promise<(ReviewerDto[] | AppError)[]> {
      const rows = (await db.query(
        `SELECT r.id AS review_id, r.cohort_id, a.reviewer_id, u.display_name, a.verdict
           FROM reviews r
           LEFT JOIN review_assignments a ON a.review_id = r.id
           LEFT JOIN users u ON u.id = a.reviewer_id
          WHERE r.id = ANY($1::uuid[])
          ORDER BY r.id, a.assigned_at, a.reviewer_id`,
        [[...new Set(reviewIds)]],
      )) as ReviewerRow[];
      return byReview(access, reviewIds, rows, (own) =>
        own.flatMap((r) =>
          r.reviewer_id ? [{ user: { id: r.reviewer_id, displayName: r.display_name ?? "" }, verdict: r.verdict }] : [],
        ),
      );
    },

    /** Each review's comments, oldest first (as `GET /api/reviews/:id`). */
    async comments(access: UserAccess, reviewIds: readonly string[]): Promise<(ReviewComment[] | AppError)[]> {
      const rows = (await db.query(
        `SELECT r.id AS review_id, r.cohort_id, c.id, c.author_id, u.display_name, c.body, c.line, c.revision, c.created_at
           FROM reviews r
           LEFT JOIN review_comments c ON c.review_id = r.id
           LEFT JOIN users u ON u.id = c.author_id
          WHERE r.id = ANY($1::uuid[])
          ORDER BY r.id, c.created_at, c.id`,
        [[...new Set(reviewIds)]],
      )) as CommentRow[];
      return byReview(access, reviewIds, rows, (own) =>
        own.flatMap((c) =>
          c.id
            ? [
                {
                  id: c.id,
                  reviewId: c.review_id,
                  author: { id: c.author_id, displayName: c.display_name },
                  body: c.body,
                  line: c.line === null ? null : Number(c.line),
                  revision: Number(c.revision),
                  createdAt: iso(c.created_at),
                },
              ]
            : [],
        ),
      );
    },
  };
}

export type ReviewBatches = ReturnType<typeof createReviewBatches>;
