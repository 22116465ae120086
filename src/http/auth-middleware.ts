import type { NextFunction, Request, Response } from "express";
import type { TokenService } from "../identity/tokens.js";
import type { AccessService, UserAccess } from "../identity/access.js";
import { AppError } from "../errors.js";

declare module "express-serve-static-core" {
  interface Request {
    id: string;
    auth?: { userId: string; access: UserAccess };
  }
}

/**
 * Requires `Authorization: Bearer <access token>` of the user's current token epoch; loads the caller's current
 * access from the database.
 */
export function requireAuth(tokens: TokenService, access: AccessService) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const claims = tokens.verify(match?.[1]);
    req.auth = { userId: claims.sub, access: await access.requireToken(claims) };
    next();
  };
}

/** The authenticated caller (only inside routes behind `requireAuth`). */
export function caller(req: Request): { userId: string; access: UserAccess } {
  if (!req.auth) throw new AppError("UNAUTHORIZED", "authentication required");
  return req.auth;
}
