import { type NextFunction, type Request, type Response, Router } from "express";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";

const MINUTE_MS = 60_000;
const FAILURE_WINDOW_MS = 15 * MINUTE_MS;

const limited = (retryAfterSec: number) =>
  new AppError("RATE_LIMITED", "too many authentication requests, try again later", undefined, Math.max(1, retryAfterSec));

/**
 * The auth rate limits, each a separate bucket counted through the engine (shared by every node); `req.ip`
 * honours TRUST_PROXY. Per client IP and minute: login LOGIN_RATE_LIMIT, refresh REFRESH_RATE_LIMIT (generous:
 * a classroom behind one NAT refreshes together), register AUTH_RATE_LIMIT, and every other /api/auth route
 * another AUTH_RATE_LIMIT. `AUTH_RATE_LIMIT=0` turns them all off (load tests from one address); any other
 * 0 turns its own bucket off.
 */
export function authRateLimits(core: Pick<Core, "config" | "engine">): Router {
  const { config, engine } = core;
  const router = Router();
  if (config.authRateLimit <= 0) return router;
  const bucket = (name: string, limit: number) => async (req: Request, _res: Response, next: NextFunction) => {
    if (limit <= 0) return next();
    const ip = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const { allowed, retryAfterSec } = await engine.countInWindow(`auth:${name}:${ip}`, limit, MINUTE_MS);
    if (!allowed) throw limited(retryAfterSec);
    next();
  };
  const own = new Set(["/api/auth/login", "/api/auth/refresh", "/api/auth/register"]);
  const others = bucket("other", config.authRateLimit);
  router.post("/api/auth/login", bucket("login", config.authLimits.loginPerIp));
  router.post("/api/auth/refresh", bucket("refresh", config.authLimits.refreshPerIp));
  router.post("/api/auth/register", bucket("register", config.authRateLimit));
  router.use("/api/auth", (req, res, next) => (own.has(req.baseUrl + req.path) ? next() : others(req, res, next)));
  return router;
}

/**
 * LOGIN_FAILURE_LIMIT failed logins per account (by email, whatever the IP) per 15 minutes: beyond it the
 * account's logins answer 429 until the window ends, right password or not, so guessing from many addresses
 * gets nowhere. Unknown emails count like known ones (no hint which exist).
 */
export function loginFailureGuard(core: Pick<Core, "config" | "engine">) {
  const { config, engine } = core;
  const limit = config.authRateLimit > 0 ? config.authLimits.loginFailuresPerAccount : 0;
  const key = (email: string) => `login-failures:${email.toLowerCase()}`;
  return {
    async check(email: string): Promise<void> {
      if (limit <= 0) return;
      const { count, retryAfterSec } = await engine.peekWindow(key(email));
      if (count >= limit) throw limited(retryAfterSec);
    },
    async failed(email: string): Promise<void> {
      if (limit <= 0) return;
      await engine.countInWindow(key(email), Number.MAX_SAFE_INTEGER, FAILURE_WINDOW_MS);
    },
  };
}
