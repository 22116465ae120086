import { Cohort, Membership, User, type CohortRole } from "../../entities/index.js";
import type { Cohort as CohortShape, Member } from "../contract/index.js";
import { keysetPage, type Page } from "../db/paging.js";
import { iso } from "../db/time.js";
import type { Core } from "../core.js";
import { AppError, isUniqueViolation } from "../errors.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";

const toCohort = (c: Cohort): CohortShape => ({ id: c.id, name: c.name, slug: c.slug, createdAt: iso(c.createdAt) });

/** A membership with its `user` joined. Emails of other users go only to the cohort's mentors (admins act as mentors). */
const toMember = (m: Membership, withEmail: boolean): Member => ({
  user: withEmail
    ? { id: m.user.id, displayName: m.user.displayName, email: m.user.email }
    : { id: m.user.id, displayName: m.user.displayName },
  role: m.role,
  joinedAt: iso(m.joinedAt),
});

/** Cohorts and memberships; every membership change is broadcast through `access.changed`. */
export function createCohortService(core: Pick<Core, "db" | "access">) {
  const { db } = core;
  const cohorts = db.getRepository(Cohort);
  const memberships = db.getRepository(Membership);

  const member = (cohortId: string, userId: string) =>
    memberships.findOne({ where: { cohortId, userId }, relations: { user: true } });

  return {
    async create(access: UserAccess, input: { name: string; slug: string }): Promise<CohortShape> {
      if (access.role !== "mentor" && access.role !== "admin")
        throw new AppError("FORBIDDEN", "only mentors and admins may create cohorts");
      let cohort: Cohort;
      try {
        cohort = await db.transaction(async (m) => {
          const { id } = await m.save(m.create(Cohort, { name: input.name, slug: input.slug, createdBy: access.userId }));
          await m.insert(Membership, { cohortId: id, userId: access.userId, role: "mentor" });
          // read back as stored (a lone surrogate in the name became U+FFFD)
          return m.findOneByOrFail(Cohort, { id });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError("CONFLICT", "a cohort with this slug already exists");
        throw err;
      }
      await core.access.changed(access.userId);
      return toCohort(cohort);
    },

    /** The caller's own cohorts (admins too: only those they belong to), oldest first. */
    async listMine(userId: string, page: { after?: string; limit: number }): Promise<Page<CohortShape>> {
      const qb = cohorts
        .createQueryBuilder("c")
        .innerJoin(Membership, "m", "m.cohortId = c.id")
        .where("m.userId = :userId", { userId });
      const { items, nextCursor } = await keysetPage(qb, page, { notFound: "cursor cohort not found" });
      return { items: items.map(toCohort), nextCursor };
    },

    async get(access: UserAccess, cohortId: string): Promise<CohortShape> {
      await requireCohortRole(core, access, cohortId);
      const cohort = await cohorts.findOneBy({ id: cohortId });
      if (!cohort) throw new AppError("NOT_FOUND", "cohort not found");
      return toCohort(cohort);
    },

    async addMember(access: UserAccess, cohortId: string, input: { userId: string; role: CohortRole }): Promise<Member> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      try {
        await db.transaction(async (m) => {
          if (!(await m.existsBy(User, { id: input.userId }))) throw new AppError("NOT_FOUND", "user not found");
          await m.insert(Membership, { cohortId, userId: input.userId, role: input.role });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError("CONFLICT", "already a member of this cohort");
        throw err;
      }
      await core.access.changed(input.userId);
      const added = await member(cohortId, input.userId);
      if (!added) throw new AppError("NOT_FOUND", "not a member of this cohort");
      return toMember(added, true);
    },

    /** Changes a member's role in the cohort (an addition to the contract: promote or demote a mentor). */
    async setMemberRole(access: UserAccess, cohortId: string, userId: string, role: CohortRole): Promise<Member> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      const { affected } = await memberships.update({ cohortId, userId }, { role });
      if (!affected) throw new AppError("NOT_FOUND", "not a member of this cohort");
      await core.access.changed(userId);
      const changed = await member(cohortId, userId);
      if (!changed) throw new AppError("NOT_FOUND", "not a member of this cohort");
      return toMember(changed, true);
    },

    async removeMember(access: UserAccess, cohortId: string, userId: string): Promise<void> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      const { affected } = await memberships.delete({ cohortId, userId });
      if (!affected) throw new AppError("NOT_FOUND", "not a member of this cohort");
      await core.access.changed(userId);
    },

    /** The cohort's members in joining order; the cursor is a member's user id. */
    async members(access: UserAccess, cohortId: string, page: { after?: string; limit: number }): Promise<Page<Member>> {
      const role = await requireCohortRole(core, access, cohortId);
      const qb = memberships
        .createQueryBuilder("m")
        .innerJoinAndSelect("m.user", "u")
        .where("m.cohortId = :cohortId", { cohortId });
      const { items, nextCursor } = await keysetPage(qb, page, {
        time: "joinedAt",
        id: "userId",
        scope: { cohortId },
        notFound: "cursor member not found",
      });
      return { items: items.map((m) => toMember(m, role === "mentor")), nextCursor };
    },
  };
}

export type CohortService = ReturnType<typeof createCohortService>;
