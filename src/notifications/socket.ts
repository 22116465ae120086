import { defineHandler } from "../realtime/handler.js";

import type { NotificationInbox } from "./service.js";

/** `notifications:sync {after?}`: what the client missed while away (≤ 100, oldest first). */
export function notificationHandlers(inbox: NotificationInbox) {
  return [defineHandler("notifications:sync", async ({ after }, { userId }) => inbox.sync(userId, after ?? undefined))];
}
