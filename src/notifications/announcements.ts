import { Announcement } from "../../entities/index.js";
import type { Announcement as AnnouncementShape } from "../contract/index.js";
import type { Core } from "../core.js";
import { keysetPage } from "../db/paging.js";
import { iso } from "../db/time.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import type { NotificationService } from "./service.js";

/** An announcement with its `author` joined. */
const toAnnouncement = (a: Announcement): AnnouncementShape => ({
  id: a.id,
  cohortId: a.cohortId,
  author: { id: a.author.id, displayName: a.author.displayName },
  title: a.title,
  body: a.body,
  createdAt: iso(a.createdAt),
});

/** A cohort mentor's broadcast: stored with one notification per other member, in one transaction. */
export function createAnnouncementService(core: Pick<Core, "db" | "access" | "events">, notifications: NotificationService) {
  const { db, events } = core;
  const announcements = db.getRepository(Announcement);
  return {
    async create(access: UserAccess, cohortId: string, input: { title: string; body: string }): Promise<AnnouncementShape> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      const { announcement, stored } = await db.transaction(async (m) => {
        const { id } = await m.save(m.create(Announcement, { cohortId, authorId: access.userId, ...input }));
        // read back as stored (a lone surrogate became U+FFFD), which the notification's JSON payload can hold
        const announcement = toAnnouncement(await m.findOneOrFail(Announcement, { where: { id }, relations: { author: true } }));
        const payload = { announcementId: id, cohortId, title: announcement.title, author: announcement.author };
        return { announcement, stored: await notifications.insertForCohort(m, cohortId, access.userId, "announcement", payload) };
      });
      if (stored.length > 0) events.emit("notifications.created", { items: stored });
      return announcement;
    },

    async list(access: UserAccess, cohortId: string, page: { after?: string; limit: number }) {
      await requireCohortRole(core, access, cohortId);
      const qb = announcements
        .createQueryBuilder("a")
        .innerJoinAndSelect("a.author", "author")
        .where("a.cohortId = :cohortId", { cohortId });
      const { items, nextCursor } = await keysetPage(qb, page, { scope: { cohortId }, notFound: "announcement not found" });
      return { announcements: items.map(toAnnouncement), nextCursor };
    },
  };
}

export type AnnouncementService = ReturnType<typeof createAnnouncementService>;
