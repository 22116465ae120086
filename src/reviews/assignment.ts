import { In, type EntityManager } from "typeorm";
import { Membership, ReviewAssignment } from "../../entities/index.js";
import { AppError } from "../errors.js";

/** Explicit reviewers must be members of the cohort (any role) other than the author: else 400 listing them. */
export async function checkExplicitReviewers(m: EntityManager, cohortId: string, authorId: string, ids: string[]): Promise<void> {
  if (ids.includes(authorId)) {
    throw new AppError("INVALID_PAYLOAD", "invalid body: reviewerIds must not include the author", [
      { path: "reviewerIds", message: "must not include the author" },
    ]);
  }
  if (ids.length === 0) return;
  const found = await m.find(Membership, { select: { userId: true }, where: { cohortId, userId: In(ids) } });
  const members = new Set(found.map((f) => f.userId));
  const outsiders = ids.filter((id) => !members.has(id));
  if (outsiders.length > 0) {
    throw new AppError("INVALID_PAYLOAD", "invalid body: reviewerIds must be members of the cohort", [
      { path: "reviewerIds", message: "not members of this cohort", ids: outsiders },
    ]);
  }
}

/** Opens one assignment per reviewer, in one INSERT. */
export async function assign(m: EntityManager, reviewId: string, reviewerIds: string[]): Promise<void> {
  if (reviewerIds.length === 0) return;
  await m.insert(
    ReviewAssignment,
    reviewerIds.map((reviewerId) => ({ reviewId, reviewerId })),
  );
}
