import type { Core } from "../core.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import { AppError } from "../errors.js";
import type { Author as UserRef } from "../contract/index.js";
import type { NotificationService } from "./service.js";

export interface AnnouncementDto {
  id: string;
  cohortId: string;
  author: UserRef;
  title: string;
  body: string;
  createdAt: string;
}

interface AnnouncementRow {
  id: string;
  cohort_id: string;
  author_id: string;
  display_name: string;
  title: string;
  body: string;
  created_at: Date | string;
}

const toDto = (r: AnnouncementRow): AnnouncementDto => ({
  id: r.id,
  cohortId: r.cohort_id,
  author: { id: r.author_id, displayName: r.display_name },
  title: r.title,
  body: r.body,
  createdAt: new Date(r.created_at).toISOString(),
});

const SELECT = `SELECT a.id, a.cohort_id, a.author_id, u.display_name, a.title, a.body, a.created_at
  FROM announcements a JOIN users u ON u.id = a.author_id`;

/** A cohort mentor's broadcast: stored with one notification per other member, in one transaction. */
export function createAnnouncementService(core: Pick<Core, "db" | "access">, notifications: NotificationService) {
  const { db } = core;
  return {
    async create(access: UserAccess, cohortId: string, input: { title: string; body: string }): Promise<AnnouncementDto> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      const { announcement, rows } = await db.transaction(async (m) => {
        const [row] = (await m.query(
          `WITH a AS (INSERT INTO announcements (cohort_id, author_id, title, body) VALUES ($1, $2, $3, $4) RETURNING *)
           SELECT a.id, a.cohort_id, a.author_id, u.display_name, a.title, a.body, a.created_at FROM a JOIN users u ON u.id = a.author_id`,
          [cohortId, access.userId, input.title, input.body],
        )) as AnnouncementRow[];
        const announcement = toDto(row!);
        const payload = { announcementId: announcement.id, cohortId, title: announcement.title, author: announcement.author };
        return { announcement, rows: await notifications.insertForCohort(m, cohortId, access.userId, "announcement", payload) };
      });
      notifications.deliver(rows);
      return announcement;
    },

    async list(access: UserAccess, cohortId: string, opts: { after?: string; limit: number }) {
      await requireCohortRole(core, access, cohortId);
      const params: unknown[] = [cohortId, opts.limit + 1];
      let cursor = "";
      if (opts.after) {
        params.push(opts.after);
        cursor = "AND (a.created_at, a.id) > (SELECT created_at, id FROM announcements WHERE id = $3 AND cohort_id = $1)";
      }
      const rows = (await db.query(
        `${SELECT} WHERE a.cohort_id = $1 ${cursor} ORDER BY a.created_at, a.id LIMIT $2`,
        params,
      )) as AnnouncementRow[];
      if (rows.length === 0 && opts.after) {
        const found: unknown[] = await db.query("SELECT 1 FROM announcements WHERE id = $1 AND cohort_id = $2", [
          opts.after,
          cohortId,
        ]);
        if (found.length === 0) throw new AppError("NOT_FOUND", "announcement not found");
      }
      const more = rows.length > opts.limit;
      const kept = more ? rows.slice(0, opts.limit) : rows;
      return { announcements: kept.map(toDto), nextCursor: more ? kept[kept.length - 1]!.id : null };
    },
  };
}

export type AnnouncementService = ReturnType<typeof createAnnouncementService>;
