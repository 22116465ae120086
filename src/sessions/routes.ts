import { Router } from "express";
import type { Core } from "../core.js";
import { caller, requireAuth } from "../http/auth-middleware.js";
import { body, idParam, query } from "../http/validate.js";
import type { ChatService } from "./chat.js";
import type { DocumentHistory } from "./document-history.js";
import { chatQuery, createSessionBody, documentQuery, historyQuery } from "./schemas.js";
import type { SessionService } from "./service.js";

/** `/api/…sessions…`: translation only, the rules live in the services. */
export function sessionRoutes(core: Core, sessions: SessionService, chat: ChatService, history: DocumentHistory): Router {
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
    const id = idParam(req);
    const { at } = query(req, documentQuery);
    if (at === undefined) {
      res.json(await sessions.document(caller(req).access, id));
      return;
    }
    await sessions.readable(caller(req).access, id);
    res.json(await history.at(id, at));
  });
  router.get("/sessions/:id/history", authed, async (req, res) => {
    const id = idParam(req);
    const q = query(req, historyQuery);
    await sessions.readable(caller(req).access, id);
    res.json(await history.page(id, q));
  });
  router.get("/sessions/:id/authors", authed, async (req, res) => {
    const id = idParam(req);
    await sessions.readable(caller(req).access, id);
    res.json({ authors: await history.authors(id) });
  });
  router.get("/sessions/:id/chat", authed, async (req, res) => {
    const id = idParam(req);
    const q = query(req, chatQuery);
    await sessions.readable(caller(req).access, id);
    res.json(await chat.history(id, q));
  });
  return router;
}
