import type { Review, ReviewAssignment, ReviewComment } from "../../entities/index.js";
import type { Review as ReviewShape, Reviewer, ReviewComment as ReviewCommentShape } from "../contract/index.js";
import { iso } from "../db/time.js";

/** Entity → contract shape, one function per shape; each expects the relation it names joined. */

/** A review with its `author` joined. */
export const toReview = (r: Review): ReviewShape => ({
  id: r.id,
  cohortId: r.cohortId,
  author: { id: r.author.id, displayName: r.author.displayName },
  title: r.title,
  description: r.description,
  language: r.language,
  code: r.code,
  revision: r.revision,
  status: r.status,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});

/** An assignment with its `reviewer` joined (the internal `open` flag stays inside). */
export const toReviewer = (a: ReviewAssignment): Reviewer => ({
  user: { id: a.reviewer.id, displayName: a.reviewer.displayName },
  verdict: a.verdict,
});

/** A comment with its `author` joined. */
export const toReviewComment = (c: ReviewComment): ReviewCommentShape => ({
  id: c.id,
  reviewId: c.reviewId,
  author: { id: c.author.id, displayName: c.author.displayName },
  body: c.body,
  line: c.line,
  revision: c.revision,
  createdAt: iso(c.createdAt),
});
