import type { EntityManager } from "typeorm";
import type { ReviewStatus, ReviewVerdict } from "../../entities/index.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import type { NotificationService, StoredNotification } from "../notifications/index.js";
import type { NotificationType, ReviewComment as ReviewCommentDto } from "../contract/index.js";
import type { AppSocket } from "../realtime/types.js";
import { checkExplicitReviewers, pickReviewers } from "./assign.js";
import {
  insertComment,
  listReviews,
  loadComments,
  loadReview,
  loadReviewers,
  publicReviewers,
  type ReviewDto,
  type ReviewerDto,
  type ReviewRow,
  toReviewDto,
  withCohortAccess,
} from "./queries.js";
import type { CommentInput, CreateReviewInput, ListReviewsQuery } from "../contract/index.js";
import { AUTO_REVIEWERS, lineCount, statusFromVerdicts } from "./rules.js";

export const reviewRoom = (reviewId: string) => `review:${reviewId}`;

export interface ReviewWithReviewers {
  review: ReviewDto;
  reviewers: ReviewerDto[];
}

export interface CreatedReview extends ReviewWithReviewers {
  /** How many reviewers were asked for and how many were assigned (fewer when the cohort has fewer learners). */
  assignment: { mode: "auto" | "explicit"; requested: number; assigned: number };
}

const unique = (ids: string[]) => [...new Set(ids)];

/**
 * The rules of peer reviews. Permissions are checked before the transaction (the access cache and the
 * cohort gate must not run inside it); every state change locks the review row; notifications are written
 * in the same transaction and, like the live events, sent only after the commit.
 */
export function createReviewService(core: Core, notifications: NotificationService) {
  const { db, io } = core;

  /** The review's cohort and the caller's role there: 404 unknown review, 403 non-member. */
  async function gate(access: UserAccess, reviewId: string) {
    const [row] = (await db.query(`SELECT cohort_id FROM reviews WHERE id = $1`, [reviewId])) as { cohort_id: string }[];
    if (!row) throw new AppError("NOT_FOUND", "review not found");
    const role = await requireCohortRole(core, access, row.cohort_id);
    return { cohortId: row.cohort_id, isMentor: role === "mentor" };
  }

  async function locked(m: EntityManager, reviewId: string, lock: "update" | "share"): Promise<ReviewRow> {
    const review = await loadReview(m, reviewId, lock);
    if (!review) throw new AppError("NOT_FOUND", "review not found");
    return review;
  }

  async function snapshot(m: EntityManager, reviewId: string): Promise<ReviewWithReviewers> {
    const review = await loadReview(m, reviewId);
    if (!review) throw new AppError("NOT_FOUND", "review not found");
    return { review: toReviewDto(review), reviewers: publicReviewers(await loadReviewers(m, reviewId)) };
  }

  function assertNotClosed(review: ReviewRow) {
    if (review.status === "closed") throw new AppError("CONFLICT", "the review is closed");
  }

  /** After the commit: status change to subscribers on every node, then the notifications. */
  function publish(reviewId: string, stored: StoredNotification[], status?: ReviewStatus) {
    if (status) io.to(reviewRoom(reviewId)).emit("review:status", { reviewId, status });
    if (stored.length > 0) notifications.deliver(stored);
  }

  /** Notifications only for users who can still see the cohort, written in the caller's transaction. */
  async function notify(
    m: EntityManager,
    cohortId: string,
    userIds: string[],
    type: NotificationType,
    payload: Record<string, unknown>,
  ) {
    const recipients = await withCohortAccess(m, cohortId, unique(userIds));
    return recipients.length > 0 ? notifications.insertForUsers(m, recipients, type, payload) : [];
  }

  return {
    async create(access: UserAccess, cohortId: string, input: CreateReviewInput): Promise<CreatedReview> {
      await requireCohortRole(core, access, cohortId);
      const authorId = access.userId;
      const { result, stored } = await db.transaction(async (m) => {
        let reviewerIds: string[];
        if (input.reviewerIds) {
          await checkExplicitReviewers(m, cohortId, authorId, input.reviewerIds);
          reviewerIds = input.reviewerIds;
        } else {
          reviewerIds = await pickReviewers(m, cohortId, authorId, AUTO_REVIEWERS);
        }
        // the title as stored (a lone surrogate became U+FFFD), which the notification's JSON payload can hold
        const [{ id, title }] = (await m.query(
          `INSERT INTO reviews (cohort_id, author_id, title, description, language, code)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, title`,
          [cohortId, authorId, input.title, input.description ?? null, input.language, input.code],
        )) as { id: string; title: string }[];
        if (reviewerIds.length > 0) {
          await m.query(`INSERT INTO review_assignments (review_id, reviewer_id) SELECT $1, unnest($2::uuid[])`, [
            id,
            reviewerIds,
          ]);
        }
        const stored = await notify(m, cohortId, reviewerIds, "review_requested", { reviewId: id, cohortId, title });
        const assignment = {
          mode: input.reviewerIds ? ("explicit" as const) : ("auto" as const),
          requested: input.reviewerIds?.length ?? AUTO_REVIEWERS,
          assigned: reviewerIds.length,
        };
        return { result: { ...(await snapshot(m, id)), assignment }, stored };
      });
      publish(result.review.id, stored);
      return result;
    },

    async get(access: UserAccess, reviewId: string): Promise<ReviewWithReviewers & { comments: ReviewCommentDto[] }> {
      await gate(access, reviewId);
      const { review, reviewers } = await snapshot(db.manager, reviewId);
      return { review, reviewers, comments: await loadComments(db.manager, reviewId) };
    },

    async list(access: UserAccess, cohortId: string, q: ListReviewsQuery) {
      await requireCohortRole(core, access, cohortId);
      return listReviews(db.manager, cohortId, q);
    },

    /** Author, assigned reviewer or cohort mentor; `line` must exist in the current revision's code. */
    async comment(access: UserAccess, reviewId: string, input: CommentInput): Promise<ReviewCommentDto> {
      const { cohortId, isMentor } = await gate(access, reviewId);
      const me = access.userId;
      const { comment, stored } = await db.transaction(async (m) => {
        const review = await locked(m, reviewId, "share");
        const reviewerIds = (await loadReviewers(m, reviewId)).map((r) => r.user.id);
        if (review.author_id !== me && !reviewerIds.includes(me) && !isMentor) {
          throw new AppError("FORBIDDEN", "only the author, an assigned reviewer or a cohort mentor may comment");
        }
        assertNotClosed(review);
        const line = input.line ?? null;
        const lines = lineCount(review.code);
        if (line !== null && line > lines) {
          throw new AppError("INVALID_PAYLOAD", `invalid body: line must be at most ${lines}`, [
            { path: "line", message: `must be at most ${lines} (the code's line count)` },
          ]);
        }
        const comment = await insertComment(m, { reviewId, authorId: me, body: input.body, line, revision: review.revision });
        const commenters = (await m.query(`SELECT DISTINCT author_id FROM review_comments WHERE review_id = $1`, [reviewId])) as {
          author_id: string;
        }[];
        const recipients = [review.author_id, ...reviewerIds, ...commenters.map((c) => c.author_id)].filter((id) => id !== me);
        const stored = await notify(m, cohortId, recipients, "review_comment", {
          reviewId,
          cohortId,
          commentId: comment.id,
          title: review.title,
          author: comment.author,
          // the first 140 characters (code points, never half a surrogate pair), nothing added
          excerpt: [...input.body].slice(0, 140).join(""),
        });
        return { comment, stored };
      });
      io.to(reviewRoom(reviewId)).emit("review:comment", { reviewId, comment });
      publish(reviewId, stored);
      return comment;
    },

    /** Assigned reviewer only; replaces their previous verdict and closes their open assignment. */
    async verdict(access: UserAccess, reviewId: string, verdict: ReviewVerdict): Promise<ReviewWithReviewers> {
      const { cohortId } = await gate(access, reviewId);
      const me = access.userId;
      const { result, stored, changed } = await db.transaction(async (m) => {
        const review = await locked(m, reviewId, "update");
        const reviewers = await loadReviewers(m, reviewId);
        if (!reviewers.some((r) => r.user.id === me))
          throw new AppError("FORBIDDEN", "only an assigned reviewer may give a verdict");
        assertNotClosed(review);
        await m.query(
          `UPDATE review_assignments SET verdict = $3, open = false, verdict_at = now() WHERE review_id = $1 AND reviewer_id = $2`,
          [reviewId, me, verdict],
        );
        const status = statusFromVerdicts(reviewers.map((r) => (r.user.id === me ? verdict : r.verdict)));
        // an approved review frees every assignment still open
        if (status === "approved")
          await m.query(`UPDATE review_assignments SET open = false WHERE review_id = $1 AND open`, [reviewId]);
        await m.query(`UPDATE reviews SET status = $2, updated_at = now() WHERE id = $1`, [reviewId, status]);
        const reviewer = reviewers.find((r) => r.user.id === me)!.user;
        const stored = await notify(m, cohortId, [review.author_id], "review_verdict", {
          reviewId,
          cohortId,
          verdict,
          status,
          title: review.title,
          reviewer,
        });
        return { result: await snapshot(m, reviewId), stored, changed: status !== review.status };
      });
      publish(reviewId, stored, changed ? result.review.status : undefined);
      return result;
    },

    /** Author only, after changes were requested: new code, revision + 1, verdicts reset, assignments open again. */
    async revise(access: UserAccess, reviewId: string, code: string): Promise<ReviewWithReviewers> {
      const { cohortId } = await gate(access, reviewId);
      const { result, stored } = await db.transaction(async (m) => {
        const review = await locked(m, reviewId, "update");
        if (review.author_id !== access.userId) throw new AppError("FORBIDDEN", "only the author may revise the review");
        assertNotClosed(review);
        if (review.status !== "changes_requested")
          throw new AppError("CONFLICT", "a revision is only possible after changes were requested");
        await m.query(
          `UPDATE reviews SET code = $2, revision = revision + 1, status = 'open', updated_at = now() WHERE id = $1`,
          [reviewId, code],
        );
        await m.query(`UPDATE review_assignments SET verdict = NULL, verdict_at = NULL, open = true WHERE review_id = $1`, [
          reviewId,
        ]);
        const reviewerIds = (await loadReviewers(m, reviewId)).map((r) => r.user.id);
        const stored = await notify(m, cohortId, reviewerIds, "review_revised", { reviewId, cohortId, title: review.title });
        return { result: await snapshot(m, reviewId), stored };
      });
      publish(reviewId, stored, "open");
      return result;
    },

    /** Author or cohort mentor; frees the open assignments. Nothing changes a closed review. */
    async close(access: UserAccess, reviewId: string): Promise<ReviewWithReviewers> {
      const { isMentor } = await gate(access, reviewId);
      const result = await db.transaction(async (m) => {
        const review = await locked(m, reviewId, "update");
        if (review.author_id !== access.userId && !isMentor)
          throw new AppError("FORBIDDEN", "only the author or a cohort mentor may close the review");
        assertNotClosed(review);
        await m.query(`UPDATE reviews SET status = 'closed', updated_at = now() WHERE id = $1`, [reviewId]);
        await m.query(`UPDATE review_assignments SET open = false WHERE review_id = $1 AND open`, [reviewId]);
        return snapshot(m, reviewId);
      });
      publish(reviewId, [], "closed");
      return result;
    },

    /** Any cohort member; the room is cohort-scoped so a removed member leaves it on every node. */
    async subscribe(socket: AppSocket, access: UserAccess, reviewId: string): Promise<void> {
      const { cohortId } = await gate(access, reviewId);
      await core.rooms.join(socket, reviewRoom(reviewId), cohortId);
    },

    async unsubscribe(socket: AppSocket, access: UserAccess, reviewId: string): Promise<void> {
      await gate(access, reviewId);
      await socket.leave(reviewRoom(reviewId));
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
