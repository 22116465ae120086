import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import type { UserRole } from "../../entities/index.js";
import type { Core } from "../core.js";
import { AppError, isUniqueViolation } from "../errors.js";
import { dummyVerify, hashPassword, verifyPassword } from "./passwords.js";
import { rehashIfOutdated } from "./rehash.js";
import { endAllAccess } from "./revoke.js";
import { toUserDto, USER_COLUMNS, type UserDto, type UserRow } from "./users.js";

export const REFRESH_TOKEN_TTL_DAYS = 30;
const BAD_CREDENTIALS = "invalid email or password";
const BAD_REFRESH = "invalid refresh token";

export interface Session {
  user: UserDto;
  accessToken: string;
  refreshToken: string;
}

const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");

/** Accounts, passwords and sessions (access token + rotating refresh token family per login). */
export function createAuthService(core: Pick<Core, "db" | "tokens" | "access" | "config" | "logger">) {
  const { db, tokens, access, config, logger } = core;

  /** Stores a new opaque refresh token (only its hash) in `familyId`; returns the token itself. */
  async function issueRefresh(m: EntityManager, userId: string, familyId: string): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    await m.query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(days => $4))`,
      [userId, familyId, sha256(token), REFRESH_TOKEN_TTL_DAYS],
    );
    return token;
  }

  async function startSession(m: EntityManager, row: UserRow, tokenEpoch: number): Promise<Session> {
    const refreshToken = await issueRefresh(m, row.id, randomUUID());
    return { user: toUserDto(row), accessToken: tokens.sign(row.id, row.role, tokenEpoch).token, refreshToken };
  }

  return {
    async register(input: { email: string; password: string; displayName: string }): Promise<Session> {
      const email = input.email.toLowerCase();
      const role: UserRole = config.adminEmails.includes(email) ? "admin" : "learner";
      const hash = await hashPassword(input.password);
      try {
        return await db.transaction(async (m) => {
          const [row] = (await m.query(
            `INSERT INTO users (email, password_hash, display_name, role) VALUES ($1, $2, $3, $4) RETURNING ${USER_COLUMNS}`,
            [email, hash, input.displayName, role],
          )) as UserRow[];
          return startSession(m, row!, 0);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError("CONFLICT", "an account with this email already exists");
        throw err;
      }
    },

    async login(input: { email: string; password: string }): Promise<Session> {
      const rows = (await db.query(`SELECT ${USER_COLUMNS}, password_hash, token_epoch FROM users WHERE email = $1`, [
        input.email.toLowerCase(),
      ])) as (UserRow & { password_hash: string; token_epoch: number })[];
      const row = rows[0];
      const ok = row ? await verifyPassword(input.password, row.password_hash) : await dummyVerify(input.password);
      if (!row || !ok) throw new AppError("UNAUTHORIZED", BAD_CREDENTIALS);
      const { password_hash: stored, token_epoch: epoch, ...user } = row;
      await rehashIfOutdated(db, logger, row.id, stored, input.password);
      return db.transaction((m) => startSession(m, user, epoch));
    },

    /** Rotates a refresh token. A token presented twice revokes its whole family (this login only). */
    async refresh(token: string): Promise<{ accessToken: string; refreshToken: string }> {
      const outcome = await db.transaction(async (m) => {
        const [row] = (await m.query(
          `SELECT t.user_id, t.family_id, t.used_at, t.revoked_at, t.expires_at <= now() AS expired, u.role, u.token_epoch
             FROM refresh_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = $1
              FOR UPDATE OF t`,
          [sha256(token)],
        )) as {
          user_id: string;
          family_id: string;
          used_at: Date | null;
          revoked_at: Date | null;
          expired: boolean;
          role: UserRole;
          token_epoch: number;
        }[];
        if (!row) return null;
        if (row.used_at) {
          await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [
            row.family_id,
          ]);
          return { reused: true as const, userId: row.user_id };
        }
        if (row.revoked_at || row.expired) return null;
        await m.query(`UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1`, [sha256(token)]);
        const refreshToken = await issueRefresh(m, row.user_id, row.family_id);
        return { reused: false as const, userId: row.user_id, role: row.role, epoch: row.token_epoch, refreshToken };
      });
      if (!outcome) throw new AppError("UNAUTHORIZED", BAD_REFRESH);
      if (outcome.reused) {
        logger.warn({ userId: outcome.userId }, "refresh token reused: its session was revoked");
        throw new AppError("UNAUTHORIZED", BAD_REFRESH);
      }
      return {
        accessToken: tokens.sign(outcome.userId, outcome.role, outcome.epoch).token,
        refreshToken: outcome.refreshToken,
      };
    },

    /** Ends the login the token belongs to (its whole family). Unknown tokens are ignored. */
    async logout(token: string): Promise<void> {
      await db.query(
        `UPDATE refresh_tokens SET revoked_at = now()
          WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL`,
        [sha256(token)],
      );
    },

    async logoutAll(userId: string): Promise<void> {
      await db.transaction((m) => endAllAccess(m, userId));
      await access.changed(userId);
    },

    async changePassword(userId: string, input: { currentPassword: string; newPassword: string }): Promise<void> {
      const [row] = (await db.query(`SELECT password_hash FROM users WHERE id = $1`, [userId])) as { password_hash: string }[];
      if (!row) throw new AppError("UNAUTHORIZED", "user no longer exists");
      if (!(await verifyPassword(input.currentPassword, row.password_hash))) {
        throw new AppError("UNAUTHORIZED", "current password is wrong");
      }
      const hash = await hashPassword(input.newPassword);
      await db.transaction(async (m) => {
        await m.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [userId, hash]);
        await endAllAccess(m, userId);
      });
      await access.changed(userId);
    },

    async me(userId: string): Promise<UserDto> {
      const [row] = (await db.query(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [userId])) as UserRow[];
      if (!row) throw new AppError("UNAUTHORIZED", "user no longer exists");
      return toUserDto(row);
    },

    /** Exact lookup by email in any letter case (mentors and admins; checked by the route). */
    async findByEmail(email: string): Promise<UserDto> {
      const [row] = (await db.query(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email.toLowerCase()])) as UserRow[];
      if (!row) throw new AppError("NOT_FOUND", "user not found");
      return toUserDto(row);
    },

    async setRole(userId: string, role: UserRole): Promise<UserDto> {
      // TypeORM answers an UPDATE … RETURNING with [rows, affectedCount]
      const [rows] = (await db.query(`UPDATE users SET role = $2 WHERE id = $1 RETURNING ${USER_COLUMNS}`, [userId, role])) as [
        UserRow[],
        number,
      ];
      const row = rows[0];
      if (!row) throw new AppError("NOT_FOUND", "user not found");
      await access.changed(userId);
      return toUserDto(row);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
