import { Router } from "express";
import type { Core } from "../core.js";
import { caller, requireAuth } from "../http/auth-middleware.js";
import { body, idParam, query } from "../http/validate.js";
import type { ChatService } from "./chat.js";
import { chatQuery, createSessionBody } from "./schemas.js";
import type { SessionService } from "./service.js";

/** `/api/…sessions…`: translation only, the rules live in the services. */
export function sessionRoutes(core: Core, sessions: SessionService, chat: ChatService): Router {
  const router = Router();
  const authed = requireAuth(core.tokens, core.access);

  router.post("/cohorts/:id/sessions", authed, async (req, res) => {
    const cohortId = idParam(req);
    res.status(201).json({ session: await sessions.create(caller(req).access, cohortId, body(req, createSessionBody)) });
  });
  router.get("/cohorts/:id/sessions", authed, async (req, res) => {
    res.json({ sessions: await sessions.list(caller(req).access, idParam(req)) });
  });
  router.get("/sessions/:id", authed, async (req, res) => {
    res.json({ session: await sessions.get(caller(req).access, idParam(req)) });
  });
  router.post("/sessions/:id/start", authed, async (req, res) => {
    res.json({ session: await sessions.start(caller(req).access, idParam(req)) });
  });
  router.post("/sessions/:id/end", authed, async (req, res) => {
    res.json({ session: await sessions.end(caller(req).access, idParam(req)) });
  });
  router.get("/sessions/:id/document", authed, async (req, res) => {
    res.json(await sessions.document(caller(req).access, idParam(req)));
  });
  router.get("/sessions/:id/chat", authed, async (req, res) => {
    const id = idParam(req);
    const q = query(req, chatQuery);
    await sessions.readable(caller(req).access, id);
    res.json(await chat.history(id, q));
  });
  return router;
}
