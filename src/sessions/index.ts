import type { Core, DomainModule } from "../core.js";
import type { NotificationService } from "../notifications/service.js";

export function sessionsModule(_core: Core, _notifications: NotificationService): DomainModule {
  return {};
}
