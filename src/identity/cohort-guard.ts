import type { EntityManager } from "typeorm";
import type { CohortRole } from "../../entities/index.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import type { UserAccess } from "./access.js";

/** Cohorts are never deleted, so a positive existence check can be remembered for the process lifetime. */
const known = new Set<string>();

/**
 * The one permission gate for a cohort's resources: unknown cohort → 404, non-member → 403,
 * non-mentor when `mentor` is required → 403. Admins act as mentors of every cohort.
 */
export async function requireCohortRole(
  core: Pick<Core, "db" | "access">,
  access: UserAccess,
  cohortId: string,
  opts: { mentor?: boolean; manager?: EntityManager } = {},
): Promise<CohortRole> {
  const role = core.access.cohortRole(access, cohortId);
  // a membership proves the cohort exists; anyone else (admins included) gets 404 for an unknown cohort
  if (!access.cohorts.has(cohortId) && !known.has(cohortId)) {
    const rows: unknown[] = await (opts.manager ?? core.db.manager).query("SELECT 1 FROM cohorts WHERE id = $1", [cohortId]);
    if (rows.length === 0) throw new AppError("NOT_FOUND", "cohort not found");
    known.add(cohortId);
  }
  if (!role) throw new AppError("FORBIDDEN", "not a member of this cohort");
  if (opts.mentor && role !== "mentor") throw new AppError("FORBIDDEN", "only a mentor of this cohort may do this");
  return role;
}
