import { Router } from "express";
import { z } from "zod";
import type { Core } from "../core.js";
import { caller, requireAuth } from "../http/auth-middleware.js";
import { body, limitParam, query, uuid } from "../http/validate.js";
import type { NotificationInbox } from "./service.js";

const listQuery = z.object({
  after: uuid.optional(),
  limit: limitParam(100),
  unread: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => v === "true" || v === "1"),
});

const readBody = z
  .object({ ids: z.array(uuid).max(1000).optional(), upTo: uuid.optional() })
  .refine((b) => (b.ids === undefined) !== (b.upTo === undefined), { message: "send either ids or upTo" });

/** `/api/notifications…`: the caller's own inbox. Translation only. */
export function notificationRoutes(core: Core, inbox: NotificationInbox): Router {
  const router = Router();
  const authed = requireAuth(core.tokens, core.access);

  router.get("/notifications", authed, async (req, res) => {
    res.json(await inbox.list(caller(req).userId, query(req, listQuery)));
  });
  router.get("/notifications/unread-count", authed, async (req, res) => {
    res.json({ count: await inbox.unreadCount(caller(req).userId) });
  });
  router.post("/notifications/read", authed, async (req, res) => {
    const input = body(req, readBody);
    await inbox.markRead(caller(req).userId, input.ids ? { ids: input.ids } : { upTo: input.upTo! });
    res.status(204).end();
  });
  return router;
}
