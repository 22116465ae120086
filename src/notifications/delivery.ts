import type { Core } from "../core.js";
import type { NotificationService } from "./service.js";

/** The one place committed notifications reach sockets: any domain emits `notifications.created` after its commit. */
export function deliverNotificationEvents(core: Pick<Core, "events">, notifications: Pick<NotificationService, "deliver">): void {
  core.events.on("notifications.created", ({ items }) => notifications.deliver(items));
}
