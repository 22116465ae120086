import { notificationRoutes } from "../contract/index.js";
import type { Core } from "../core.js";
import { mountRoutes } from "../http/routes.js";
import type { AnnouncementService } from "./announcements.js";
import type { NotificationInbox } from "./service.js";
import type { NotificationStreams } from "./stream.js";

/** The notification and announcement routes of the contract: translation only. */
export function notificationRouter(
  core: Core,
  inbox: NotificationInbox,
  announcements: AnnouncementService,
  streams: NotificationStreams,
) {
  return mountRoutes(
    notificationRoutes,
    {
      listNotifications: async ({ query }, { caller }) => inbox.list(caller.userId, query),
      streamNotifications: async ({ query }, { req, res }) => {
        await streams.serve(req, res, query);
        return ""; // the stream was the answer
      },
      unreadCount: async (_input, { caller }) => ({ count: await inbox.unreadCount(caller.userId) }),
      markRead: async ({ body }, { caller }) =>
        inbox.markRead(caller.userId, body.ids ? { ids: body.ids } : { upTo: body.upTo as string }),
      createAnnouncement: async ({ params, body }, { caller }) => ({
        announcement: await announcements.create(caller.access, params.id, body),
      }),
      listAnnouncements: async ({ params, query }, { caller }) => announcements.list(caller.access, params.id, query),
    },
    core,
  );
}
