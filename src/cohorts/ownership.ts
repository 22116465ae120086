import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import type { UserAccess } from "../identity/access.js";

/** The cohort's owner: its creator (null once that account is gone). */
export async function cohortOwner(core: Pick<Core, "db">, cohortId: string): Promise<string | null> {
  const [row] = (await core.db.query(`SELECT created_by FROM cohorts WHERE id = $1`, [cohortId])) as {
    created_by: string | null;
  }[];
  return row?.created_by ?? null;
}

/** Another cohort mentor may not remove or demote the owner (403); an admin may, and so may the owner themself. */
export async function assertMayChangeMember(core: Pick<Core, "db">, caller: UserAccess, cohortId: string, userId: string) {
  if (caller.role === "admin" || caller.userId === userId) return;
  if ((await cohortOwner(core, cohortId)) === userId)
    throw new AppError("FORBIDDEN", "only an admin may remove or demote the cohort's owner");
}

/**
 * Adding a user by id shows the adder that user's email: only global mentors and admins may. A cohort mentor
 * whose global role is learner enrols people with invitations, which the invited user accepts.
 */
export function assertMayAddById(caller: UserAccess) {
  if (caller.role === "learner")
    throw new AppError("FORBIDDEN", "only mentors and admins may add users by id; invite them instead");
}
