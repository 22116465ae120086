import type { Core, DomainModule } from "../core.js";
import { createAnnouncementService, type AnnouncementService } from "./announcements.js";
import { notificationRouter } from "./routes.js";
import { createNotificationService, type NotificationInbox, type NotificationService } from "./service.js";
import { notificationHandlers } from "./socket.js";

/** Notifications (inbox, live delivery, sync) and cohort announcements, the broadcast kind of notification. */
export function notificationsModule(
  core: Core,
): DomainModule & { service: NotificationService & NotificationInbox; announcements: AnnouncementService } {
  const service = createNotificationService(core);
  const announcements = createAnnouncementService(core, service);
  const routes = notificationRouter(core, service, announcements);
  return { service, announcements, routes, handlers: notificationHandlers(service) };
}

export type { NotificationInbox, NotificationService, StoredNotification } from "./service.js";
export type { AnnouncementService } from "./announcements.js";
