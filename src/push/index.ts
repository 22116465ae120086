import type { Core, DomainModule } from "../core.js";
import type { NotificationService } from "../notifications/index.js";
import { pushDelivery } from "./delivery.js";
import { createDeviceStore } from "./devices.js";
import { trackOnlineUsers } from "./online.js";
import { pushRouter } from "./routes.js";
import { webPushSender } from "./senders.js";
import { vapidKeys } from "./vapid.js";

/**
 * Pushes to registered devices of users with no connected socket: device registration, the VAPID key, and the
 * push jobs enqueued with every notification written.
 */
export function pushModule(core: Core, notifications: NotificationService): DomainModule {
  const keys = vapidKeys(core.db, core.config.push);
  const devices = createDeviceStore(core.db, { production: core.config.production });
  const online = trackOnlineUsers(core);
  const delivery = pushDelivery(core, { devices, online, senders: [webPushSender(keys)] });
  notifications.onWritten({
    inTransaction: (manager, rows) => delivery.enqueue(manager, rows),
    committed: (rows) => {
      if (rows.length > 0) delivery.committed();
    },
  });
  return {
    routes: pushRouter(core, { devices, keys }),
    start: () => online.start(),
    stop: async () => online.stop(),
  };
}
