import type { Core, DomainModule } from "../core.js";
import { createNotificationService, type NotificationService } from "./service.js";

export function notificationsModule(core: Core): DomainModule & { service: NotificationService } {
  return { service: createNotificationService(core) };
}
