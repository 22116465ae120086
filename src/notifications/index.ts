import type { Core, DomainModule } from "../core.js";
import { createAnnouncementService, type AnnouncementService } from "./announcements.js";
import { deliverNotificationEvents } from "./delivery.js";
import { notificationRetention } from "./retention.js";
import { notificationRouter } from "./routes.js";
import { createNotificationService, type NotificationInbox, type NotificationService } from "./service.js";
import { notificationHandlers } from "./socket.js";
import { notificationStreams } from "./stream.js";

/**
 * Notifications (inbox, live delivery, sync, server-sent events, retention) and cohort announcements, the
 * broadcast kind of notification.
 */
export function notificationsModule(
  core: Core,
): DomainModule & { service: NotificationService & NotificationInbox; announcements: AnnouncementService } {
  const service = createNotificationService(core);
  deliverNotificationEvents(core, service);
  const streams = notificationStreams(core, service);
  service.onWritten({
    inTransaction: async () => undefined,
    committed: (rows) => {
      streams
        .announce([...new Set(rows.map((r) => r.userId))])
        .catch((err: Error) =>
          core.logger.warn({ err: err.message }, "stream wake-up not published; streams catch up on their heartbeat"),
        );
    },
  });
  const retention = notificationRetention(core);
  const announcements = createAnnouncementService(core, service);
  const routes = notificationRouter(core, service, announcements, streams);
  return {
    service,
    announcements,
    routes,
    handlers: notificationHandlers(service),
    start: () => {
      streams.start();
      return retention.start();
    },
    stop: async () => streams.stop(),
  };
}

export type { NotificationHook, NotificationInbox, NotificationService, StoredNotification } from "./service.js";
export type { AnnouncementService } from "./announcements.js";
