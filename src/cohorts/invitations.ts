import { randomBytes } from "node:crypto";
import type { CohortRole } from "../../entities/index.js";
import type { Cohort, Invitation, Member } from "../contract/index.js";
import type { Core } from "../core.js";
import { iso } from "../db/time.js";
import { AppError } from "../errors.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";

interface InvitationRow {
  id: string;
  cohort_id: string;
  code: string;
  role: CohortRole;
  max_uses: number;
  uses: number;
  expires_at: Date | string;
  created_at: Date | string;
}

const COLUMNS = "id, cohort_id, code, role, max_uses, uses, expires_at, created_at";
const LIVE = "expires_at > now() AND uses < max_uses";
const GONE = "invitation not found, expired or used up";

const toInvitation = (r: InvitationRow): Invitation => ({
  id: r.id,
  cohortId: r.cohort_id,
  code: r.code,
  role: r.role,
  maxUses: r.max_uses,
  uses: r.uses,
  expiresAt: iso(r.expires_at),
  createdAt: iso(r.created_at),
});

/** Thrown inside the accept transaction to roll back a counted use when the user turned out to be a member. */
class AlreadyMember extends Error {}

/**
 * Enrolment by invitation code. Codes are 128 random bits; a use is counted by one conditional UPDATE
 * (`uses < max_uses`), so concurrent accepts can never exceed `maxUses`.
 */
export function createInvitationService(core: Pick<Core, "db" | "access">) {
  const { db, access } = core;

  async function memberOf(cohortId: string, userId: string): Promise<{ cohort: Cohort; member: Member } | null> {
    const [row] = (await db.query(
      `SELECT c.id, c.name, c.slug, c.created_at, m.role, m.joined_at, u.display_name, u.email
         FROM memberships m JOIN cohorts c ON c.id = m.cohort_id JOIN users u ON u.id = m.user_id
        WHERE m.cohort_id = $1 AND m.user_id = $2`,
      [cohortId, userId],
    )) as {
      id: string;
      name: string;
      slug: string;
      created_at: Date | string;
      role: CohortRole;
      joined_at: Date | string;
      display_name: string;
      email: string;
    }[];
    if (!row) return null;
    return {
      cohort: { id: row.id, name: row.name, slug: row.slug, createdAt: iso(row.created_at) },
      member: {
        user: { id: userId, displayName: row.display_name, email: row.email },
        role: row.role,
        joinedAt: iso(row.joined_at),
      },
    };
  }

  return {
    async create(
      caller: UserAccess,
      cohortId: string,
      input: { role: CohortRole; maxUses: number; expiresInDays: number },
    ): Promise<Invitation> {
      await requireCohortRole(core, caller, cohortId, { mentor: true });
      const [row] = (await db.query(
        `INSERT INTO cohort_invitations (cohort_id, code, role, max_uses, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING ${COLUMNS}`,
        [cohortId, randomBytes(16).toString("base64url"), input.role, input.maxUses, caller.userId, input.expiresInDays],
      )) as InvitationRow[];
      return toInvitation(row!);
    },

    async list(caller: UserAccess, cohortId: string): Promise<Invitation[]> {
      await requireCohortRole(core, caller, cohortId, { mentor: true });
      const rows = (await db.query(
        `SELECT ${COLUMNS} FROM cohort_invitations WHERE cohort_id = $1 ORDER BY created_at DESC, id LIMIT 1000`,
        [cohortId],
      )) as InvitationRow[];
      return rows.map(toInvitation);
    },

    async remove(caller: UserAccess, invitationId: string): Promise<void> {
      const [row] = (await db.query(`SELECT cohort_id FROM cohort_invitations WHERE id = $1`, [invitationId])) as {
        cohort_id: string;
      }[];
      if (!row) throw new AppError("NOT_FOUND", "invitation not found");
      await requireCohortRole(core, caller, row.cohort_id, { mentor: true });
      await db.query(`DELETE FROM cohort_invitations WHERE id = $1`, [invitationId]);
    },

    /** Joins the code's cohort with the code's role; a member keeps their role and spends no use. */
    async accept(caller: UserAccess, code: string): Promise<{ cohort: Cohort; member: Member }> {
      const [invitation] = (await db.query(`SELECT cohort_id FROM cohort_invitations WHERE code = $1 AND ${LIVE}`, [code])) as {
        cohort_id: string;
      }[];
      if (!invitation) throw new AppError("NOT_FOUND", GONE);
      const existing = await memberOf(invitation.cohort_id, caller.userId);
      if (existing) return existing;
      try {
        await db.transaction(async (m) => {
          const [rows] = (await m.query(
            `UPDATE cohort_invitations SET uses = uses + 1 WHERE code = $1 AND ${LIVE} RETURNING cohort_id, role`,
            [code],
          )) as [{ cohort_id: string; role: CohortRole }[], number];
          const used = rows[0];
          if (!used) throw new AppError("NOT_FOUND", GONE);
          const inserted = (await m.query(
            `INSERT INTO memberships (cohort_id, user_id, role) VALUES ($1, $2, $3)
             ON CONFLICT (cohort_id, user_id) DO NOTHING RETURNING user_id`,
            [used.cohort_id, caller.userId, used.role],
          )) as unknown[];
          if (inserted.length === 0) throw new AlreadyMember();
        });
      } catch (err) {
        if (!(err instanceof AlreadyMember)) throw err;
      }
      await access.changed(caller.userId);
      const joined = await memberOf(invitation.cohort_id, caller.userId);
      if (!joined) throw new AppError("NOT_FOUND", GONE);
      return joined;
    },
  };
}

export type InvitationService = ReturnType<typeof createInvitationService>;
