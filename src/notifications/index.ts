import { Router } from "express";
import type { Core, DomainModule } from "../core.js";
import { announcementRoutes } from "./announcement-routes.js";
import { createAnnouncementService } from "./announcements.js";
import { notificationRoutes } from "./routes.js";
import { createNotificationService, type NotificationService } from "./service.js";

export type { NotificationHook, NotificationService, StoredNotification } from "./service.js";
import { notificationHandlers } from "./socket.js";

/** Notifications (inbox, live delivery, sync) and cohort announcements, the broadcast kind of notification. */
export function notificationsModule(core: Core): DomainModule & { service: NotificationService } {
  const service = createNotificationService(core);
  const routes = Router();
  routes.use(notificationRoutes(core, service));
  routes.use(announcementRoutes(core, createAnnouncementService(core, service)));
  return { service, routes, handlers: notificationHandlers(service) };
}
