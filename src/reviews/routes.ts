import { Router } from "express";
import type { Core } from "../core.js";
import { caller, requireAuth } from "../http/auth-middleware.js";
import { body, idParam, query } from "../http/validate.js";
import { commentBody, createReviewBody, listReviewsQuery, revisionBody, verdictBody } from "./schemas.js";
import type { ReviewService } from "./service.js";

/** `/api/cohorts/:id/reviews` and `/api/reviews/:id…`: translation only, the rules live in the service. */
export function reviewRoutes(core: Core, reviews: ReviewService): Router {
  const router = Router();
  const authed = requireAuth(core.tokens, core.access);

  router.post("/cohorts/:id/reviews", authed, async (req, res) => {
    const cohortId = idParam(req);
    res.status(201).json(await reviews.create(caller(req).access, cohortId, body(req, createReviewBody)));
  });
  router.get("/cohorts/:id/reviews", authed, async (req, res) => {
    const cohortId = idParam(req);
    const { items, nextCursor } = await reviews.list(caller(req).access, cohortId, query(req, listReviewsQuery));
    res.json({ reviews: items, nextCursor });
  });
  router.get("/reviews/:id", authed, async (req, res) => {
    res.json(await reviews.get(caller(req).access, idParam(req)));
  });
  router.post("/reviews/:id/comments", authed, async (req, res) => {
    const id = idParam(req);
    res.status(201).json({ comment: await reviews.comment(caller(req).access, id, body(req, commentBody)) });
  });
  router.post("/reviews/:id/verdict", authed, async (req, res) => {
    const id = idParam(req);
    res.json(await reviews.verdict(caller(req).access, id, body(req, verdictBody).verdict));
  });
  router.post("/reviews/:id/revisions", authed, async (req, res) => {
    const id = idParam(req);
    res.json(await reviews.revise(caller(req).access, id, body(req, revisionBody).code));
  });
  router.post("/reviews/:id/close", authed, async (req, res) => {
    res.json(await reviews.close(caller(req).access, idParam(req)));
  });
  return router;
}
