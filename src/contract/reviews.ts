import { z } from "zod";
import { clientEvents, route, serverEvents } from "./define.js";
import { boundedBytes, Empty, IdParams, isoTime, limitParam, nextCursor, text, uuid } from "./primitives.js";
import { Author } from "./users.js";

/** Review code: at least one character, at most 100 KB of UTF-8 (beyond → 413 PAYLOAD_TOO_LARGE). */
export const MAX_CODE_BYTES = 100 * 1024;
/** Explicit reviewers per review. */
export const MAX_REVIEWERS = 10;

export const ReviewStatus = z.enum(["open", "changes_requested", "approved", "closed"]);
export type ReviewStatus = z.infer<typeof ReviewStatus>;
export const Verdict = z.enum(["approve", "request_changes"]);
export type Verdict = z.infer<typeof Verdict>;

export const Review = z
  .object({
    id: uuid,
    cohortId: uuid,
    author: Author,
    title: z.string(),
    description: z.string().nullable(),
    language: z.string(),
    code: z.string(),
    revision: z.number().int(),
    status: ReviewStatus,
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .meta({ id: "Review" });
export type Review = z.infer<typeof Review>;

export const Reviewer = z.object({ user: Author, verdict: Verdict.nullable() }).meta({ id: "Reviewer" });
export type Reviewer = z.infer<typeof Reviewer>;

export const ReviewComment = z
  .object({
    id: uuid,
    reviewId: uuid,
    author: Author,
    body: z.string(),
    line: z.number().int().nullable(),
    revision: z.number().int(),
    createdAt: isoTime,
  })
  .meta({ id: "ReviewComment" });
export type ReviewComment = z.infer<typeof ReviewComment>;

const code = boundedBytes(z.string().min(1, { message: "must not be empty" }), MAX_CODE_BYTES);

const reviewerIds = z
  .array(uuid)
  .max(MAX_REVIEWERS, { message: `at most ${MAX_REVIEWERS} reviewers` })
  .refine((ids) => new Set(ids).size === ids.length, { message: "must not repeat a reviewer" });

export const CreateReviewBody = z.object({
  title: text(1, 200),
  description: text(0, 10_000).nullish(),
  language: text(1, 40),
  code,
  reviewerIds: reviewerIds.optional(),
});
export type CreateReviewInput = z.output<typeof CreateReviewBody>;
export const ListReviewsQuery = z.object({ status: ReviewStatus.optional(), after: uuid.optional(), limit: limitParam(100) });
export type ListReviewsQuery = z.output<typeof ListReviewsQuery>;
export const CommentBody = z.object({ body: text(1, 5000), line: z.number().int().min(1).nullish() });
export type CommentInput = z.output<typeof CommentBody>;
export const VerdictBody = z.object({ verdict: Verdict });
export const RevisionBody = z.object({ code });

const ReviewWithReviewers = z.object({ review: Review, reviewers: z.array(Reviewer) });

const TAG = "Peer reviews";
export const reviewRoutes = {
  createReview: route({
    method: "post",
    path: "/api/cohorts/:id/reviews",
    tag: TAG,
    summary: "Ask for a review (cohort members); without reviewerIds two learners with the fewest open assignments",
    auth: true,
    params: IdParams,
    body: CreateReviewBody,
    status: 201,
    response: ReviewWithReviewers,
    errors: ["FORBIDDEN", "NOT_FOUND", "PAYLOAD_TOO_LARGE"],
  }),
  listReviews: route({
    method: "get",
    path: "/api/cohorts/:id/reviews",
    tag: TAG,
    summary: "A cohort's reviews, oldest first, optionally by status",
    auth: true,
    params: IdParams,
    query: ListReviewsQuery,
    status: 200,
    response: z.object({ reviews: z.array(Review), nextCursor }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  getReview: route({
    method: "get",
    path: "/api/reviews/:id",
    tag: TAG,
    summary: "A review with its reviewers and comments (cohort members)",
    auth: true,
    params: IdParams,
    status: 200,
    response: ReviewWithReviewers.extend({ comments: z.array(ReviewComment) }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  commentReview: route({
    method: "post",
    path: "/api/reviews/:id/comments",
    tag: TAG,
    summary: "Comment, optionally on a line (author, assigned reviewer or cohort mentor)",
    auth: true,
    params: IdParams,
    body: CommentBody,
    status: 201,
    response: z.object({ comment: ReviewComment }),
    errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT"],
  }),
  giveVerdict: route({
    method: "post",
    path: "/api/reviews/:id/verdict",
    tag: TAG,
    summary: "Approve or request changes (assigned reviewers); replaces the reviewer's last verdict",
    auth: true,
    params: IdParams,
    body: VerdictBody,
    status: 200,
    response: ReviewWithReviewers,
    errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT"],
  }),
  reviseReview: route({
    method: "post",
    path: "/api/reviews/:id/revisions",
    tag: TAG,
    summary: "A new revision of the code (the author, when changes were requested)",
    auth: true,
    params: IdParams,
    body: RevisionBody,
    status: 200,
    response: ReviewWithReviewers,
    errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT", "PAYLOAD_TOO_LARGE"],
  }),
  closeReview: route({
    method: "post",
    path: "/api/reviews/:id/close",
    tag: TAG,
    summary: "Close a review (author or cohort mentor)",
    auth: true,
    params: IdParams,
    status: 200,
    response: ReviewWithReviewers,
    errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT"],
  }),
};

const ReviewRef = z.object({ reviewId: uuid });
export const reviewEvents = clientEvents({
  "review:subscribe": {
    summary: "Receive a review's comments and status changes (cohort members)",
    payload: ReviewRef,
    ack: Empty,
  },
  "review:unsubscribe": { summary: "Stop receiving a review's events", payload: ReviewRef, ack: Empty },
});

export const reviewServerEvents = serverEvents({
  "review:comment": {
    summary: "A new comment on a subscribed review",
    payload: z.object({ reviewId: uuid, comment: ReviewComment }),
  },
  "review:status": {
    summary: "A subscribed review's status changed",
    payload: z.object({ reviewId: uuid, status: ReviewStatus }),
  },
});
