import { createSecretKey } from "node:crypto";
import jwt from "jsonwebtoken";
import { AppError } from "../errors.js";

export const ACCESS_TOKEN_TTL_SEC = 15 * 60;
/** User ids are UUIDs; a token naming anything else is invalid (and must never reach a uuid column). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessClaims {
  sub: string;
  role: string;
  exp: number;
}

/** Signs and verifies access tokens; the only module that touches JWTs (REST and socket handshake). */
export function createTokenService(secret: string, ttlSec = ACCESS_TOKEN_TTL_SEC) {
  // a KeyObject once: given the string, jsonwebtoken first tries (and fails) to parse it as a public key on every call
  const key = createSecretKey(Buffer.from(secret));
  return {
    sign(userId: string, role: string): { token: string; exp: number } {
      const token = jwt.sign({ role }, key, { algorithm: "HS256", subject: userId, expiresIn: ttlSec });
      const exp = (jwt.decode(token) as { exp: number }).exp;
      return { token, exp };
    },
    /** Throws UNAUTHORIZED for a missing, forged, tampered, `alg: none` or expired token. */
    verify(token: unknown): AccessClaims {
      if (typeof token !== "string" || token.length === 0 || token.length > 4096) {
        throw new AppError("UNAUTHORIZED", "missing access token");
      }
      try {
        const claims = jwt.verify(token, key, { algorithms: ["HS256"] });
        if (
          typeof claims !== "object" ||
          typeof claims.sub !== "string" ||
          !UUID.test(claims.sub) ||
          typeof claims.exp !== "number"
        ) {
          throw new Error("bad claims");
        }
        return { sub: claims.sub, role: String(claims.role ?? ""), exp: claims.exp };
      } catch (err) {
        const expired = err instanceof jwt.TokenExpiredError;
        throw new AppError("UNAUTHORIZED", expired ? "access token expired" : "invalid access token");
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
