import { Router } from "express";
import { z } from "zod";
import type { Core } from "../core.js";
import { caller, requireAuth } from "../http/auth-middleware.js";
import { body, idParam, limitParam, query, text, uuid } from "../http/validate.js";
import type { AnnouncementService } from "./announcements.js";

const createBody = z.object({ title: text(1, 200), body: text(1, 10_000) });
const listQuery = z.object({ after: uuid.optional(), limit: limitParam(100) });

/** `/api/cohorts/:id/announcements`: translation only. */
export function announcementRoutes(core: Core, announcements: AnnouncementService): Router {
  const router = Router();
  const authed = requireAuth(core.tokens, core.access);

  router.post("/cohorts/:id/announcements", authed, async (req, res) => {
    const cohortId = idParam(req);
    const announcement = await announcements.create(caller(req).access, cohortId, body(req, createBody));
    res.status(201).json({ announcement });
  });
  router.get("/cohorts/:id/announcements", authed, async (req, res) => {
    res.json(await announcements.list(caller(req).access, idParam(req), query(req, listQuery)));
  });
  return router;
}
