import type { EntityManager } from "typeorm";
import { Membership, Review, ReviewAssignment, ReviewComment, User, type ReviewStatus } from "../../entities/index.js";
import { keysetPage, type Page } from "../db/paging.js";

/** Reads of reviews, their reviewers and comments through the entities; each takes the manager it must run on. */

/**
 * One review with its author. `lock`: `update` for state changes (verdict, revision, close), `share` for comments
 * so they wait for a concurrent state change but not for each other. Only the review row is locked.
 */
export function loadReview(m: EntityManager, id: string, lock?: "update" | "share"): Promise<Review | null> {
  const qb = m.createQueryBuilder(Review, "r").innerJoinAndSelect("r.author", "author").where("r.id = :id", { id });
  if (lock) qb.setLock(lock === "update" ? "pessimistic_write" : "pessimistic_read", undefined, ["r"]);
  return qb.getOne();
}

/** The review's cohort, or null for an unknown review. */
export async function cohortOfReview(m: EntityManager, id: string): Promise<string | null> {
  const review = await m.findOne(Review, { select: { id: true, cohortId: true }, where: { id } });
  return review?.cohortId ?? null;
}

/** Every assignment of the review with its reviewer, in assignment order. */
export function loadAssignments(m: EntityManager, reviewId: string): Promise<ReviewAssignment[]> {
  return m.find(ReviewAssignment, {
    where: { reviewId },
    relations: { reviewer: true },
    order: { assignedAt: "ASC", reviewerId: "ASC" },
  });
}

export function loadComments(m: EntityManager, reviewId: string): Promise<ReviewComment[]> {
  return m.find(ReviewComment, { where: { reviewId }, relations: { author: true }, order: { createdAt: "ASC", id: "ASC" } });
}

/** Everyone who commented on the review. */
export async function commenterIds(m: EntityManager, reviewId: string): Promise<string[]> {
  const rows = await m
    .createQueryBuilder(ReviewComment, "c")
    .select("DISTINCT c.authorId", "authorId")
    .where("c.reviewId = :reviewId", { reviewId })
    .getRawMany<{ authorId: string }>();
  return rows.map((r) => r.authorId);
}

/** A cohort's reviews (optionally of one status), oldest first, keyset-paged by (createdAt, id). */
export function listReviews(
  m: EntityManager,
  cohortId: string,
  q: { status?: ReviewStatus; after?: string; limit: number },
): Promise<Page<Review>> {
  const qb = m
    .createQueryBuilder(Review, "r")
    .innerJoinAndSelect("r.author", "author")
    .where("r.cohortId = :cohortId", { cohortId });
  if (q.status) qb.andWhere("r.status = :status", { status: q.status });
  // the cursor is any review of the cohort: one whose status changed since still marks the place
  return keysetPage(qb, q, { scope: { cohortId }, notFound: "review not found" });
}

/** Of `userIds`, those who may still see the cohort (members, and admins): notifications go only to them. */
export async function withCohortAccess(m: EntityManager, cohortId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const users = await m
    .createQueryBuilder(User, "u")
    .select("u.id")
    .leftJoin(Membership, "ms", "ms.userId = u.id AND ms.cohortId = :cohortId", { cohortId })
    .where("u.id IN (:...userIds)", { userIds })
    .andWhere("(u.role = 'admin' OR ms.userId IS NOT NULL)")
    .orderBy("u.id")
    .getMany();
  return users.map((u) => u.id);
}
