import type { Core, DomainModule } from "../core.js";
import { createAnnouncementService } from "./announcements.js";
import { notificationRouter } from "./routes.js";
import { createNotificationService, type NotificationService } from "./service.js";
import { notificationHandlers } from "./socket.js";

/** Notifications (inbox, live delivery, sync) and cohort announcements, the broadcast kind of notification. */
export function notificationsModule(core: Core): DomainModule & { service: NotificationService } {
  const service = createNotificationService(core);
  const routes = notificationRouter(core, service, createAnnouncementService(core, service));
  return { service, routes, handlers: notificationHandlers(service) };
}

export type { NotificationService, StoredNotification } from "./service.js";
