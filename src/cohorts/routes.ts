import { Router } from "express";
import { z } from "zod";
import type { Core } from "../core.js";
import { caller, requireAuth } from "../http/auth-middleware.js";
import { body, idParam, limitParam, query, text, uuid } from "../http/validate.js";
import type { CohortService } from "./service.js";

// URL-safe and readable; the contract sets no form, so letters of either case, `_` and `.` are allowed too
const SLUG = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9])?$/;

const createBody = z.object({
  name: text(1, 120),
  slug: z.string().regex(SLUG, { message: "must be 1..64 letters, digits and inner `-`, `_` or `.`" }),
});
const memberRole = z.enum(["learner", "mentor"]);
const addMemberBody = z.object({ userId: uuid, role: memberRole });
const memberRoleBody = z.object({ role: memberRole });
const listQuery = z.object({ after: uuid.optional(), limit: limitParam(100) });

/** `/api/cohorts…`: translation only, the rules live in the service. */
export function cohortRoutes(core: Core, cohorts: CohortService): Router {
  const router = Router();
  const authed = requireAuth(core.tokens, core.access);

  router.post("/cohorts", authed, async (req, res) => {
    res.status(201).json({ cohort: await cohorts.create(caller(req).access, body(req, createBody)) });
  });
  router.get("/cohorts", authed, async (req, res) => {
    const { items, nextCursor } = await cohorts.listMine(caller(req).userId, query(req, listQuery));
    res.json({ cohorts: items, nextCursor });
  });
  router.get("/cohorts/:id", authed, async (req, res) => {
    res.json({ cohort: await cohorts.get(caller(req).access, idParam(req)) });
  });
  router.get("/cohorts/:id/members", authed, async (req, res) => {
    const { items, nextCursor } = await cohorts.members(caller(req).access, idParam(req), query(req, listQuery));
    res.json({ members: items, nextCursor });
  });
  router.post("/cohorts/:id/members", authed, async (req, res) => {
    const id = idParam(req);
    res.status(201).json({ member: await cohorts.addMember(caller(req).access, id, body(req, addMemberBody)) });
  });
  router.patch("/cohorts/:id/members/:userId", authed, async (req, res) => {
    const [id, userId] = [idParam(req), idParam(req, "userId")];
    res.json({ member: await cohorts.setMemberRole(caller(req).access, id, userId, body(req, memberRoleBody).role) });
  });
  router.delete("/cohorts/:id/members/:userId", authed, async (req, res) => {
    await cohorts.removeMember(caller(req).access, idParam(req), idParam(req, "userId"));
    res.status(204).end();
  });
  return router;
}
