import type { EntityManager } from "typeorm";
import { Review, ReviewAssignment, ReviewComment, type ReviewStatus, type ReviewVerdict } from "../../entities/index.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import type { NotificationService, StoredNotification } from "../notifications/index.js";
import type {
  CommentInput,
  CreateReviewInput,
  ListReviewsQuery,
  NotificationType,
  Review as ReviewShape,
  ReviewComment as ReviewCommentShape,
  Reviewer,
} from "../contract/index.js";
import type { Page } from "../db/paging.js";
import type { AppSocket } from "../realtime/types.js";
import { assign, checkExplicitReviewers } from "./assignment.js";
import { pickReviewers } from "./assignment-queries.js";
import { toReview, toReviewComment, toReviewer } from "./mapping.js";
import {
  cohortOfReview,
  commenterIds,
  listReviews,
  loadAssignments,
  loadComments,
  loadReview,
  withCohortAccess,
} from "./reads.js";
import { reviewRoom } from "./rooms.js";
import { AUTO_REVIEWERS, lineCount, statusFromVerdicts } from "./rules.js";

export interface ReviewWithReviewers {
  review: ReviewShape;
  reviewers: Reviewer[];
}

export interface CreatedReview extends ReviewWithReviewers {
  /** How many reviewers were asked for and how many were assigned (fewer when the cohort has fewer learners). */
  assignment: { mode: "auto" | "explicit"; requested: number; assigned: number };
}

const unique = (ids: string[]) => [...new Set(ids)];
const now = () => "now()";

/**
 * The rules of peer reviews. Permissions are checked before the transaction (the access cache and the
 * cohort gate must not run inside it); every state change locks the review row; notifications are written
 * in the same transaction. After the commit the service announces what happened as domain events
 * (delivery.ts sends them to sockets).
 */
export function createReviewService(core: Core, notifications: NotificationService) {
  const { db, events } = core;

  /** The review's cohort and the caller's role there: 404 unknown review, 403 non-member. */
  async function gate(access: UserAccess, reviewId: string) {
    const cohortId = await cohortOfReview(db.manager, reviewId);
    if (!cohortId) throw new AppError("NOT_FOUND", "review not found");
    const role = await requireCohortRole(core, access, cohortId);
    return { cohortId, isMentor: role === "mentor" };
  }

  async function locked(m: EntityManager, reviewId: string, lock: "update" | "share"): Promise<Review> {
    const review = await loadReview(m, reviewId, lock);
    if (!review) throw new AppError("NOT_FOUND", "review not found");
    return review;
  }

  async function snapshot(m: EntityManager, reviewId: string): Promise<ReviewWithReviewers> {
    const review = await loadReview(m, reviewId);
    if (!review) throw new AppError("NOT_FOUND", "review not found");
    return { review: toReview(review), reviewers: (await loadAssignments(m, reviewId)).map(toReviewer) };
  }

  function assertNotClosed(review: Review) {
    if (review.status === "closed") throw new AppError("CONFLICT", "the review is closed");
  }

  /** After the commit: the status change, then the notifications. */
  function announce(reviewId: string, stored: StoredNotification[], status?: ReviewStatus) {
    if (status) events.emit("review.status.changed", { reviewId, status });
    if (stored.length > 0) events.emit("notifications.created", { items: stored });
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
        const { id } = await m.save(
          m.create(Review, {
            cohortId,
            authorId,
            title: input.title,
            description: input.description ?? null,
            language: input.language,
            code: input.code,
          }),
        );
        await assign(m, id, reviewerIds);
        const created = await snapshot(m, id);
        // the title as stored (a lone surrogate became U+FFFD), which the notification's JSON payload can hold
        const { title } = created.review;
        const stored = await notify(m, cohortId, reviewerIds, "review_requested", { reviewId: id, cohortId, title });
        const assignment = {
          mode: input.reviewerIds ? ("explicit" as const) : ("auto" as const),
          requested: input.reviewerIds?.length ?? AUTO_REVIEWERS,
          assigned: reviewerIds.length,
        };
        return { result: { ...created, assignment }, stored };
      });
      announce(result.review.id, stored);
      return result;
    },

    async get(access: UserAccess, reviewId: string): Promise<ReviewWithReviewers & { comments: ReviewCommentShape[] }> {
      await gate(access, reviewId);
      const { review, reviewers } = await snapshot(db.manager, reviewId);
      return { review, reviewers, comments: (await loadComments(db.manager, reviewId)).map(toReviewComment) };
    },

    async list(access: UserAccess, cohortId: string, q: ListReviewsQuery): Promise<Page<ReviewShape>> {
      await requireCohortRole(core, access, cohortId);
      const { items, nextCursor } = await listReviews(db.manager, cohortId, q);
      return { items: items.map(toReview), nextCursor };
    },

    /** Author, assigned reviewer or cohort mentor; `line` must exist in the current revision's code. */
    async comment(access: UserAccess, reviewId: string, input: CommentInput): Promise<ReviewCommentShape> {
      const { cohortId, isMentor } = await gate(access, reviewId);
      const me = access.userId;
      const { comment, stored } = await db.transaction(async (m) => {
        const review = await locked(m, reviewId, "share");
        const reviewerIds = (await loadAssignments(m, reviewId)).map((a) => a.reviewerId);
        if (review.authorId !== me && !reviewerIds.includes(me) && !isMentor) {
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
        const { id } = await m.save(
          m.create(ReviewComment, { reviewId, authorId: me, body: input.body, line, revision: review.revision }),
        );
        const comment = toReviewComment(await m.findOneOrFail(ReviewComment, { where: { id }, relations: { author: true } }));
        const recipients = [review.authorId, ...reviewerIds, ...(await commenterIds(m, reviewId))].filter((id) => id !== me);
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
      events.emit("review.commented", { reviewId, comment });
      announce(reviewId, stored);
      return comment;
    },

    /** Assigned reviewer only; replaces their previous verdict and closes their open assignment. */
    async verdict(access: UserAccess, reviewId: string, verdict: ReviewVerdict): Promise<ReviewWithReviewers> {
      const { cohortId } = await gate(access, reviewId);
      const me = access.userId;
      const { result, stored, changed } = await db.transaction(async (m) => {
        const review = await locked(m, reviewId, "update");
        const assignments = await loadAssignments(m, reviewId);
        if (!assignments.some((a) => a.reviewerId === me))
          throw new AppError("FORBIDDEN", "only an assigned reviewer may give a verdict");
        assertNotClosed(review);
        await m.update(ReviewAssignment, { reviewId, reviewerId: me }, { verdict, open: false, verdictAt: now });
        const status = statusFromVerdicts(assignments.map((a) => (a.reviewerId === me ? verdict : a.verdict)));
        // an approved review frees every assignment still open
        if (status === "approved") await m.update(ReviewAssignment, { reviewId, open: true }, { open: false });
        await m.update(Review, { id: reviewId }, { status, updatedAt: now });
        const stored = await notify(m, cohortId, [review.authorId], "review_verdict", {
          reviewId,
          cohortId,
          verdict,
          status,
          title: review.title,
          reviewer: { id: me, displayName: access.displayName },
        });
        return { result: await snapshot(m, reviewId), stored, changed: status !== review.status };
      });
      announce(reviewId, stored, changed ? result.review.status : undefined);
      return result;
    },

    /** Author only, after changes were requested: new code, revision + 1, verdicts reset, assignments open again. */
    async revise(access: UserAccess, reviewId: string, code: string): Promise<ReviewWithReviewers> {
      const { cohortId } = await gate(access, reviewId);
      const { result, stored } = await db.transaction(async (m) => {
        const review = await locked(m, reviewId, "update");
        if (review.authorId !== access.userId) throw new AppError("FORBIDDEN", "only the author may revise the review");
        assertNotClosed(review);
        if (review.status !== "changes_requested")
          throw new AppError("CONFLICT", "a revision is only possible after changes were requested");
        await m.update(Review, { id: reviewId }, { code, revision: () => "revision + 1", status: "open", updatedAt: now });
        await m.update(ReviewAssignment, { reviewId }, { verdict: null, verdictAt: null, open: true });
        const reviewerIds = (await loadAssignments(m, reviewId)).map((a) => a.reviewerId);
        const stored = await notify(m, cohortId, reviewerIds, "review_revised", { reviewId, cohortId, title: review.title });
        return { result: await snapshot(m, reviewId), stored };
      });
      announce(reviewId, stored, "open");
      return result;
    },

    /** Author or cohort mentor; frees the open assignments. Nothing changes a closed review. */
    async close(access: UserAccess, reviewId: string): Promise<ReviewWithReviewers> {
      const { isMentor } = await gate(access, reviewId);
      const result = await db.transaction(async (m) => {
        const review = await locked(m, reviewId, "update");
        if (review.authorId !== access.userId && !isMentor)
          throw new AppError("FORBIDDEN", "only the author or a cohort mentor may close the review");
        assertNotClosed(review);
        await m.update(Review, { id: reviewId }, { status: "closed", updatedAt: now });
        await m.update(ReviewAssignment, { reviewId, open: true }, { open: false });
        return snapshot(m, reviewId);
      });
      announce(reviewId, [], "closed");
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
