import type { Core } from "../core.js";
import { userRoom } from "../realtime/types.js";
import type { NotificationService } from "./service.js";

/**
 * The one place notifications reach sockets: any domain emits `notifications.created` after its commit, and the
 * inbox emits `notifications.read`. One emit per row: the Redis adapter carries it to the user's sockets on every
 * node, once; a socket that misses it catches up with `notifications:sync`.
 */
export function deliverNotificationEvents(
  core: Pick<Core, "events" | "io" | "logger">,
  notifications: Pick<NotificationService, "committed">,
): void {
  const { events, io, logger } = core;
  events.on("notifications.created", ({ items }) => {
    notifications.committed(items);
    for (const { userId, notification } of items) {
      try {
        io.to(userRoom(userId)).emit("notification", notification);
      } catch (err) {
        logger.warn({ err: (err as Error).message, userId }, "notification not delivered live; the client gets it through sync");
      }
    }
  });
  events.on("notifications.read", ({ userId, read }) => {
    io.to(userRoom(userId)).emit("notification:read", read);
  });
}
