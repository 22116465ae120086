import type { EntityManager } from "typeorm";
import type { ReviewStatus, ReviewVerdict } from "../../entities/index.js";
import { iso } from "../db/time.js";
import { AppError } from "../errors.js";
import type { ReviewComment as ReviewCommentDto, Author as UserRef } from "../contract/index.js";

/** Reads and row→DTO mapping for reviews; every function takes the manager it must run on. */

export interface ReviewDto {
  id: string;
  cohortId: string;
  author: UserRef;
  title: string;
  description: string | null;
  language: string;
  code: string;
  revision: number;
  status: ReviewStatus;
  createdAt: string;
  updatedAt: string;
}

export interface ReviewerDto {
  user: UserRef;
  verdict: ReviewVerdict | null;
}

export interface ReviewRow {
  id: string;
  cohort_id: string;
  author_id: string;
  author_name: string;
  title: string;
  description: string | null;
  language: string;
  code: string;
  revision: number;
  status: ReviewStatus;
  created_at: Date | string;
  updated_at: Date | string;
}

interface ReviewerRow {
  reviewer_id: string;
  display_name: string;
  verdict: ReviewVerdict | null;
  open: boolean;
}

interface CommentRow {
  id: string;
  review_id: string;
  author_id: string;
  display_name: string;
  body: string;
  line: number | null;
  revision: number;
  created_at: Date | string;
}

const REVIEW_SELECT = `SELECT r.id, r.cohort_id, r.author_id, u.display_name AS author_name, r.title, r.description,
       r.language, r.code, r.revision, r.status, r.created_at, r.updated_at
  FROM reviews r JOIN users u ON u.id = r.author_id`;

export const toReviewDto = (r: ReviewRow): ReviewDto => ({
  id: r.id,
  cohortId: r.cohort_id,
  author: { id: r.author_id, displayName: r.author_name },
  title: r.title,
  description: r.description,
  language: r.language,
  code: r.code,
  revision: Number(r.revision),
  status: r.status,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const toCommentDto = (r: CommentRow): ReviewCommentDto => ({
  id: r.id,
  reviewId: r.review_id,
  author: { id: r.author_id, displayName: r.display_name },
  body: r.body,
  line: r.line === null ? null : Number(r.line),
  revision: Number(r.revision),
  createdAt: iso(r.created_at),
});

/**
 * One review. `lock`: `update` for state changes (verdict, revision, close), `share` for comments so
 * they wait for a concurrent state change but not for each other.
 */
export async function loadReview(m: EntityManager, id: string, lock?: "update" | "share"): Promise<ReviewRow | null> {
  const suffix = lock === "update" ? " FOR UPDATE OF r" : lock === "share" ? " FOR SHARE OF r" : "";
  const [row] = (await m.query(`${REVIEW_SELECT} WHERE r.id = $1${suffix}`, [id])) as ReviewRow[];
  return row ?? null;
}

export async function loadReviewers(m: EntityManager, reviewId: string): Promise<(ReviewerDto & { open: boolean })[]> {
  const rows = (await m.query(
    `SELECT a.reviewer_id, u.display_name, a.verdict, a.open
       FROM review_assignments a JOIN users u ON u.id = a.reviewer_id
      WHERE a.review_id = $1
      ORDER BY a.assigned_at, a.reviewer_id`,
    [reviewId],
  )) as ReviewerRow[];
  return rows.map((r) => ({ user: { id: r.reviewer_id, displayName: r.display_name }, verdict: r.verdict, open: r.open }));
}

/** The public reviewer list (without the internal `open` flag). */
export const publicReviewers = (rs: (ReviewerDto & { open?: boolean })[]): ReviewerDto[] =>
  rs.map(({ user, verdict }) => ({ user, verdict }));

const COMMENT_SELECT = `SELECT c.id, c.review_id, c.author_id, u.display_name, c.body, c.line, c.revision, c.created_at
  FROM review_comments c JOIN users u ON u.id = c.author_id`;

export async function loadComments(m: EntityManager, reviewId: string): Promise<ReviewCommentDto[]> {
  const rows = (await m.query(`${COMMENT_SELECT} WHERE c.review_id = $1 ORDER BY c.created_at, c.id`, [
    reviewId,
  ])) as CommentRow[];
  return rows.map(toCommentDto);
}

export async function insertComment(
  m: EntityManager,
  c: { reviewId: string; authorId: string; body: string; line: number | null; revision: number },
): Promise<ReviewCommentDto> {
  const [{ id }] = (await m.query(
    `INSERT INTO review_comments (review_id, author_id, body, line, revision) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [c.reviewId, c.authorId, c.body, c.line, c.revision],
  )) as { id: string }[];
  const [row] = (await m.query(`${COMMENT_SELECT} WHERE c.id = $1`, [id])) as CommentRow[];
  return toCommentDto(row);
}

/** A cohort's reviews, oldest first, keyset-paged by (created_at, id). */
export async function listReviews(
  m: EntityManager,
  cohortId: string,
  q: { status?: ReviewStatus; after?: string; limit: number },
): Promise<{ items: ReviewDto[]; nextCursor: string | null }> {
  const params: unknown[] = [cohortId];
  let where = "r.cohort_id = $1";
  if (q.status) {
    params.push(q.status);
    where += ` AND r.status = $${params.length}`;
  }
  if (q.after) {
    params.push(q.after);
    where += ` AND (r.created_at, r.id) > (SELECT created_at, id FROM reviews WHERE id = $${params.length})`;
  }
  params.push(q.limit + 1);
  const rows = (await m.query(
    `${REVIEW_SELECT} WHERE ${where} ORDER BY r.created_at, r.id LIMIT $${params.length}`,
    params,
  )) as ReviewRow[];
  // an unknown cursor is 404, not an empty page that reads as "nothing newer"
  if (rows.length === 0 && q.after) {
    const found: unknown[] = await m.query(`SELECT 1 FROM reviews WHERE id = $1 AND cohort_id = $2`, [q.after, cohortId]);
    if (found.length === 0) throw new AppError("NOT_FOUND", "review not found");
  }
  const more = rows.length > q.limit;
  const kept = more ? rows.slice(0, q.limit) : rows;
  return { items: kept.map(toReviewDto), nextCursor: more ? kept[kept.length - 1].id : null };
}

/** Of `userIds`, those who may still see the cohort (members, and admins): notifications go only to them. */
export async function withCohortAccess(m: EntityManager, cohortId: string, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = (await m.query(
    `SELECT u.id FROM users u
      WHERE u.id = ANY($1::uuid[])
        AND (u.role = 'admin' OR EXISTS (SELECT 1 FROM memberships ms WHERE ms.cohort_id = $2 AND ms.user_id = u.id))
      ORDER BY u.id`,
    [userIds, cohortId],
  )) as { id: string }[];
  return rows.map((r) => r.id);
}
