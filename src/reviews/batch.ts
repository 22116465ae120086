import { In } from "typeorm";
import { Review, ReviewAssignment, ReviewComment } from "../../entities/index.js";
import type { Review as ReviewShape, ReviewComment as ReviewCommentShape, Reviewer, ReviewStatus } from "../contract/index.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import { toReview, toReviewComment, toReviewer } from "./mapping.js";

/**
 * Reads of many reviews' parts in a fixed number of statements, for callers that ask for them per item (GraphQL's
 * loaders): the same rows and permission gate as the single reads, answered in the order of the keys, with an
 * error in place of an item the caller may not see.
 */

export interface AuthorPageKey {
  authorId: string;
  after?: string;
}

export interface ReviewPage {
  items: ReviewShape[];
  nextCursor: string | null;
}

export function createReviewBatches(core: Pick<Core, "db" | "access">) {
  const { db } = core;

  /** Each review's items, or NOT_FOUND / FORBIDDEN for a review that is unknown or in a cohort the caller is not in. */
  async function byReview<T extends { reviewId: string }, R>(
    access: UserAccess,
    reviewIds: readonly string[],
    items: T[],
    map: (item: T) => R,
  ): Promise<(R[] | AppError)[]> {
    const reviews = await db.manager.find(Review, {
      select: { id: true, cohortId: true },
      where: { id: In([...new Set(reviewIds)]) },
    });
    const cohortOf = new Map(reviews.map((r) => [r.id, r.cohortId]));
    const refused = new Map<string, AppError>();
    for (const cohortId of new Set(cohortOf.values())) {
      await requireCohortRole(core, access, cohortId).catch((err: unknown) => {
        if (!(err instanceof AppError)) throw err;
        refused.set(cohortId, err);
      });
    }
    const grouped = new Map<string, R[]>();
    for (const item of items) grouped.set(item.reviewId, [...(grouped.get(item.reviewId) ?? []), map(item)]);
    return reviewIds.map((id) => {
      const cohortId = cohortOf.get(id);
      if (cohortId === undefined) return new AppError("NOT_FOUND", "review not found");
      return refused.get(cohortId) ?? grouped.get(id) ?? [];
    });
  }

  return {
    /** Pages of the reviews each author asked for in one cohort, oldest first, optionally of one status. */
    async byAuthors(
      access: UserAccess,
      cohortId: string,
      keys: readonly AuthorPageKey[],
      q: { status?: ReviewStatus; limit: number },
    ): Promise<(ReviewPage | AppError)[]> {
      await requireCohortRole(core, access, cohortId);
      // each author's page in one statement (a lateral join per key), then the reviews themselves in one more
      const picked = (await db.query(
        `SELECT k.ord, x.id FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS k(author_id, after_id, ord)
         CROSS JOIN LATERAL (
           SELECT r.id, r.created_at FROM reviews r
            WHERE r.cohort_id = $1 AND r.author_id = k.author_id AND ($4::text IS NULL OR r.status = $4::text)
              AND (k.after_id IS NULL OR (r.created_at, r.id) > (SELECT created_at, id FROM reviews WHERE id = k.after_id))
            ORDER BY r.created_at, r.id LIMIT $5
         ) x ORDER BY k.ord, x.created_at, x.id`,
        [cohortId, keys.map((k) => k.authorId), keys.map((k) => k.after ?? null), q.status ?? null, q.limit + 1],
      )) as { ord: string | number; id: string }[];
      const afters = keys.flatMap((k) => (k.after ? [k.after] : []));
      const ids = [...new Set([...picked.map((p) => p.id), ...afters])];
      const loaded =
        ids.length === 0 ? [] : await db.manager.find(Review, { where: { id: In(ids) }, relations: { author: true } });
      const byId = new Map(loaded.map((r) => [r.id, r]));
      const byKey = keys.map(() => [] as ReviewShape[]);
      for (const p of picked) byKey[Number(p.ord) - 1]!.push(toReview(byId.get(p.id)!));
      return keys.map((k, i) => {
        // an unknown cursor is 404, as in every list, not an empty page that reads as "nothing newer"
        if (k.after && byId.get(k.after)?.cohortId !== cohortId) return new AppError("NOT_FOUND", "review not found");
        const own = byKey[i]!;
        const more = own.length > q.limit;
        const kept = more ? own.slice(0, q.limit) : own;
        return { items: kept, nextCursor: more ? kept[kept.length - 1]!.id : null };
      });
    },

    /** Each review's reviewers, in assignment order (as `GET /api/reviews/:id`). */
    async reviewers(access: UserAccess, reviewIds: readonly string[]): Promise<(Reviewer[] | AppError)[]> {
      const assignments = await db.manager.find(ReviewAssignment, {
        where: { reviewId: In([...new Set(reviewIds)]) },
        relations: { reviewer: true },
        order: { assignedAt: "ASC", reviewerId: "ASC" },
      });
      return byReview(access, reviewIds, assignments, toReviewer);
    },

    /** Each review's comments, oldest first (as `GET /api/reviews/:id`). */
    async comments(access: UserAccess, reviewIds: readonly string[]): Promise<(ReviewCommentShape[] | AppError)[]> {
      const comments = await db.manager.find(ReviewComment, {
        where: { reviewId: In([...new Set(reviewIds)]) },
        relations: { author: true },
        order: { createdAt: "ASC", id: "ASC" },
      });
      return byReview(access, reviewIds, comments, toReviewComment);
    },
  };
}

export type ReviewBatches = ReturnType<typeof createReviewBatches>;
