import type { CohortRole } from "../../entities/index.js";
import type { UserRef } from "../contract/index.js";
import { iso } from "../db/time.js";
import type { Core } from "../core.js";
import { AppError, isUniqueViolation } from "../errors.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import { assertMayAddById, assertMayChangeMember, cohortOwner } from "./ownership.js";

export interface CohortDto {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
}

export interface MemberDto {
  user: UserRef;
  role: CohortRole;
  joinedAt: string;
}

interface CohortRow {
  id: string;
  name: string;
  slug: string;
  created_at: Date | string;
}

interface MemberRow {
  user_id: string;
  display_name: string;
  email: string;
  role: CohortRole;
  joined_at: Date | string;
}

const toCohort = (r: CohortRow): CohortDto => ({ id: r.id, name: r.name, slug: r.slug, createdAt: iso(r.created_at) });

/** Emails of other users go only to the cohort's mentors (admins act as mentors of every cohort). */
const toMember = (r: MemberRow, withEmail: boolean): MemberDto => ({
  user: withEmail
    ? { id: r.user_id, displayName: r.display_name, email: r.email }
    : { id: r.user_id, displayName: r.display_name },
  role: r.role,
  joinedAt: iso(r.joined_at),
});

const MEMBER_SELECT = `SELECT m.user_id, u.display_name, u.email, m.role, m.joined_at
  FROM memberships m JOIN users u ON u.id = m.user_id`;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

function page<T>(rows: T[], limit: number, idOf: (row: T) => string): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { rows: kept, nextCursor: more && last ? idOf(last) : null };
}

/** Cohorts and memberships; every membership change is broadcast through `access.changed`. */
export function createCohortService(core: Pick<Core, "db" | "access">) {
  const { db } = core;

  async function cohortRow(id: string): Promise<CohortRow> {
    const [row] = (await db.query(`SELECT id, name, slug, created_at FROM cohorts WHERE id = $1`, [id])) as CohortRow[];
    if (!row) throw new AppError("NOT_FOUND", "cohort not found");
    return row;
  }

  return {
    async create(access: UserAccess, input: { name: string; slug: string }): Promise<CohortDto> {
      if (access.role !== "mentor" && access.role !== "admin")
        throw new AppError("FORBIDDEN", "only mentors and admins may create cohorts");
      let cohort: CohortRow;
      try {
        cohort = await db.transaction(async (m) => {
          const [row] = (await m.query(
            `INSERT INTO cohorts (name, slug, created_by) VALUES ($1, $2, $3) RETURNING id, name, slug, created_at`,
            [input.name, input.slug, access.userId],
          )) as CohortRow[];
          await m.query(`INSERT INTO memberships (cohort_id, user_id, role) VALUES ($1, $2, 'mentor')`, [row!.id, access.userId]);
          return row!;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError("CONFLICT", "a cohort with this slug already exists");
        throw err;
      }
      await core.access.changed(access.userId);
      return toCohort(cohort);
    },

    /** The caller's own cohorts (admins too: only those they belong to), oldest first. */
    async listMine(userId: string, opts: { after?: string; limit: number }): Promise<Page<CohortDto>> {
      const params: unknown[] = [userId, opts.limit + 1];
      let cursor = "";
      if (opts.after) {
        params.push(opts.after);
        cursor = `AND (c.created_at, c.id) > (SELECT created_at, id FROM cohorts WHERE id = $3)`;
      }
      const rows = (await db.query(
        `SELECT c.id, c.name, c.slug, c.created_at FROM memberships m JOIN cohorts c ON c.id = m.cohort_id
          WHERE m.user_id = $1 ${cursor} ORDER BY c.created_at, c.id LIMIT $2`,
        params,
      )) as CohortRow[];
      if (rows.length === 0 && opts.after) {
        const found: unknown[] = await db.query("SELECT 1 FROM cohorts WHERE id = $1", [opts.after]);
        if (found.length === 0) throw new AppError("NOT_FOUND", "cursor cohort not found");
      }
      const p = page(rows, opts.limit, (r) => r.id);
      return { items: p.rows.map(toCohort), nextCursor: p.nextCursor };
    },

    async get(access: UserAccess, cohortId: string): Promise<CohortDto & { ownerId: string | null }> {
      await requireCohortRole(core, access, cohortId);
      return { ...toCohort(await cohortRow(cohortId)), ownerId: await cohortOwner(core, cohortId) };
    },

    async addMember(access: UserAccess, cohortId: string, input: { userId: string; role: CohortRole }): Promise<MemberDto> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      assertMayAddById(access);
      let row: MemberRow;
      try {
        row = await db.transaction(async (m) => {
          const users: unknown[] = await m.query(`SELECT 1 FROM users WHERE id = $1`, [input.userId]);
          if (users.length === 0) throw new AppError("NOT_FOUND", "user not found");
          await m.query(`INSERT INTO memberships (cohort_id, user_id, role) VALUES ($1, $2, $3)`, [
            cohortId,
            input.userId,
            input.role,
          ]);
          const [added] = (await m.query(`${MEMBER_SELECT} WHERE m.cohort_id = $1 AND m.user_id = $2`, [
            cohortId,
            input.userId,
          ])) as MemberRow[];
          return added!;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError("CONFLICT", "already a member of this cohort");
        throw err;
      }
      await core.access.changed(input.userId);
      return toMember(row, true);
    },

    /** Changes a member's role in the cohort (an addition to the contract: promote or demote a mentor). */
    async setMemberRole(access: UserAccess, cohortId: string, userId: string, role: CohortRole): Promise<MemberDto> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      if (role !== "mentor") await assertMayChangeMember(core, access, cohortId, userId);
      const [rows] = (await db.query(`UPDATE memberships SET role = $3 WHERE cohort_id = $1 AND user_id = $2 RETURNING user_id`, [
        cohortId,
        userId,
        role,
      ])) as [unknown[], number];
      if (rows.length === 0) throw new AppError("NOT_FOUND", "not a member of this cohort");
      await core.access.changed(userId);
      const [row] = (await db.query(`${MEMBER_SELECT} WHERE m.cohort_id = $1 AND m.user_id = $2`, [
        cohortId,
        userId,
      ])) as MemberRow[];
      if (!row) throw new AppError("NOT_FOUND", "not a member of this cohort");
      return toMember(row, true);
    },

    async removeMember(access: UserAccess, cohortId: string, userId: string): Promise<void> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      await assertMayChangeMember(core, access, cohortId, userId);
      const [rows] = (await db.query(`DELETE FROM memberships WHERE cohort_id = $1 AND user_id = $2 RETURNING user_id`, [
        cohortId,
        userId,
      ])) as [unknown[], number];
      if (rows.length === 0) throw new AppError("NOT_FOUND", "not a member of this cohort");
      await core.access.changed(userId);
    },

    async members(access: UserAccess, cohortId: string, opts: { after?: string; limit: number }): Promise<Page<MemberDto>> {
      const role = await requireCohortRole(core, access, cohortId);
      const params: unknown[] = [cohortId, opts.limit + 1];
      let cursor = "";
      if (opts.after) {
        params.push(opts.after);
        cursor = `AND (m.joined_at, m.user_id) > (SELECT joined_at, user_id FROM memberships WHERE cohort_id = $1 AND user_id = $3)`;
      }
      const rows = (await db.query(
        `${MEMBER_SELECT} WHERE m.cohort_id = $1 ${cursor} ORDER BY m.joined_at, m.user_id LIMIT $2`,
        params,
      )) as MemberRow[];
      if (rows.length === 0 && opts.after) {
        const found: unknown[] = await db.query("SELECT 1 FROM memberships WHERE cohort_id = $1 AND user_id = $2", [
          cohortId,
          opts.after,
        ]);
        if (found.length === 0) throw new AppError("NOT_FOUND", "cursor member not found");
      }
      const p = page(rows, opts.limit, (r) => r.user_id);
      return { items: p.rows.map((r) => toMember(r, role === "mentor")), nextCursor: p.nextCursor };
    },
  };
}

export type CohortService = ReturnType<typeof createCohortService>;
