import { z } from "zod";
import { boundedBytes, limitParam, text, uuid } from "../http/validate.js";

/** Review code: at least one character, at most 100 KB of UTF-8 (beyond → 413 PAYLOAD_TOO_LARGE). */
export const MAX_CODE_BYTES = 100 * 1024;
/** Explicit reviewers per review. */
export const MAX_REVIEWERS = 10;
/** Reviewers picked by auto-assignment. */
export const AUTO_REVIEWERS = 2;

const code = boundedBytes(z.string().min(1, { message: "must not be empty" }), MAX_CODE_BYTES);

const reviewerIds = z
  .array(uuid)
  .max(MAX_REVIEWERS, { message: `at most ${MAX_REVIEWERS} reviewers` })
  .transform((ids) => ids.map((id) => id.toLowerCase()))
  .refine((ids) => new Set(ids).size === ids.length, { message: "must not repeat a reviewer" });

export const createReviewBody = z.object({
  title: text(1, 200),
  description: text(0, 10_000).nullish(),
  language: text(1, 40),
  code,
  reviewerIds: reviewerIds.optional(),
});
export type CreateReviewInput = z.output<typeof createReviewBody>;

export const reviewStatus = z.enum(["open", "changes_requested", "approved", "closed"]);

export const listReviewsQuery = z.object({
  status: reviewStatus.optional(),
  after: uuid.optional(),
  limit: limitParam(100),
});
export type ListReviewsQuery = z.output<typeof listReviewsQuery>;

export const commentBody = z.object({
  body: text(1, 5000),
  line: z.number().int().min(1).nullish(),
});
export type CommentInput = z.output<typeof commentBody>;

export const verdictBody = z.object({ verdict: z.enum(["approve", "request_changes"]) });

export const revisionBody = z.object({ code });

export const reviewIdPayload = z.object({ reviewId: uuid });

/** Lines of the code as an editor numbers them; a final line break does not start another line. */
export function lineCount(source: string): number {
  const lines = source.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.length;
}
