import type { NextFunction, Request, Response } from "express";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";

const WINDOW_MS = 60_000;

/**
 * `AUTH_RATE_LIMIT` requests per minute per client IP on `/api/auth/*`, counted through the engine so every
 * node shares the count in cluster mode. `req.ip` honours TRUST_PROXY. 0 turns it off.
 */
export function authRateLimit(core: Pick<Core, "config" | "engine">) {
  const limit = core.config.authRateLimit;
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (limit <= 0) return next();
    const ip = req.ip ?? req.socket.remoteAddress ?? "unknown";
    const { allowed, retryAfterSec } = await core.engine.hit(`auth:${ip}`, limit, WINDOW_MS);
    if (!allowed) {
      throw new AppError(
        "RATE_LIMITED",
        "too many authentication requests, try again later",
        undefined,
        Math.max(1, retryAfterSec),
      );
    }
    next();
  };
}
