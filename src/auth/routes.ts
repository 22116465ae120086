import { Router } from "express";
import { z } from "zod";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { caller, requireAuth } from "../http/auth-middleware.js";
import { body, idParam, query, text } from "../http/validate.js";
import { authRateLimit } from "./rate-limit.js";
import type { AuthService } from "./service.js";

const password = text(8, 128);
/** What a browser's `<input type="email">` accepts (so `a@b.c` and `dev@localhost` too); the contract sets no stricter form. */
const email = z.email({ pattern: z.regexes.html5Email, message: "must be an email address" }).max(320);
/** Login accepts any address-like string so an unknown one gets the same 401 as a wrong password. */
const loginEmail = text(1, 320);
const refreshToken = z.string().min(1).max(512);

const registerBody = z.object({ email, password, displayName: text(1, 80) });
const loginBody = z.object({ email: loginEmail, password: text(1, 128) });
const refreshBody = z.object({ refreshToken });
const passwordBody = z.object({ currentPassword: text(1, 128), newPassword: password });
const roleBody = z.object({ role: z.enum(["learner", "mentor", "admin"]) });
const lookupQuery = z.object({ email: loginEmail });

/** `/api/auth/*`, `/api/me`, `/api/users`: translation only, the rules live in the service. */
export function authRoutes(core: Core, auth: AuthService): Router {
  const router = Router();
  const authed = requireAuth(core.tokens, core.access);
  router.use("/auth", authRateLimit(core));

  router.post("/auth/register", async (req, res) => {
    res.status(201).json(await auth.register(body(req, registerBody)));
  });
  router.post("/auth/login", async (req, res) => {
    res.json(await auth.login(body(req, loginBody)));
  });
  router.post("/auth/refresh", async (req, res) => {
    res.json(await auth.refresh(body(req, refreshBody).refreshToken));
  });
  router.post("/auth/logout", async (req, res) => {
    await auth.logout(body(req, refreshBody).refreshToken);
    res.status(204).end();
  });
  router.post("/auth/logout-all", authed, async (req, res) => {
    await auth.logoutAll(caller(req).userId);
    res.status(204).end();
  });
  router.post("/auth/password", authed, async (req, res) => {
    await auth.changePassword(caller(req).userId, body(req, passwordBody));
    res.status(204).end();
  });

  router.get("/me", authed, async (req, res) => {
    res.json({ user: await auth.me(caller(req).userId) });
  });
  router.get("/users", authed, async (req, res) => {
    const { access } = caller(req);
    if (access.role !== "mentor" && access.role !== "admin")
      throw new AppError("FORBIDDEN", "only mentors and admins may look up users");
    res.json({ user: await auth.findByEmail(query(req, lookupQuery).email) });
  });
  router.patch("/users/:id/role", authed, async (req, res) => {
    const { access } = caller(req);
    const id = idParam(req);
    if (access.role !== "admin") throw new AppError("FORBIDDEN", "only admins may change roles");
    res.json({ user: await auth.setRole(id, body(req, roleBody).role) });
  });
  return router;
}
