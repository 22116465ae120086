import { z } from "zod";
import { defineHandler } from "../realtime/handler.js";
import { uuid } from "../http/validate.js";
import type { NotificationInbox } from "./service.js";

/** `notifications:sync {after?}`: what the client missed while away (≤ 100, oldest first). */
export function notificationHandlers(inbox: NotificationInbox) {
  return [
    defineHandler("notifications:sync", z.object({ after: uuid.nullish() }), async ({ after }, { userId }) =>
      inbox.sync(userId, after ?? undefined),
    ),
  ];
}
