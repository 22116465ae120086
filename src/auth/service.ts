import { createHash, randomBytes, randomUUID } from "node:crypto";
import { IsNull, type EntityManager } from "typeorm";
import { RefreshToken, User, type UserRole } from "../../entities/index.js";
import type { LoginResult, TokenPair, User as UserShape } from "../contract/index.js";
import type { Core } from "../core.js";
import { AppError, isUniqueViolation } from "../errors.js";
import { dummyVerify, hashPassword, verifyPassword } from "./passwords.js";
import { toUser } from "./users.js";

export const REFRESH_TOKEN_TTL_DAYS = 30;
const BAD_CREDENTIALS = "invalid email or password";
const BAD_REFRESH = "invalid refresh token";

const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");
const now = () => "now()";

/** Accounts, passwords and logins: each login is a token family (access token + rotating refresh tokens). */
export function createAuthService(core: Pick<Core, "db" | "tokens" | "access" | "config" | "logger">) {
  const { db, tokens, access, config, logger } = core;
  const users = db.getRepository(User);

  /** Stores a new opaque refresh token (only its hash) in `familyId`; returns the token itself. */
  async function issueRefresh(m: EntityManager, userId: string, familyId: string): Promise<string> {
    const token = randomBytes(32).toString("base64url");
    await m
      .createQueryBuilder()
      .insert()
      .into(RefreshToken)
      .values({
        userId,
        familyId,
        tokenHash: sha256(token),
        // the database's clock, like every other token time
        expiresAt: () => `now() + make_interval(days => ${REFRESH_TOKEN_TTL_DAYS})`,
      })
      .execute();
    return token;
  }

  /** A new token family for the user: a fresh access token and the family's first refresh token. */
  async function startTokenFamily(m: EntityManager, user: User): Promise<LoginResult> {
    const refreshToken = await issueRefresh(m, user.id, randomUUID());
    return { user: toUser(user), accessToken: tokens.sign(user.id, user.role).token, refreshToken };
  }

  const revokeWhere = (m: EntityManager, where: { familyId: string } | { userId: string }) =>
    m.update(RefreshToken, { ...where, revokedAt: IsNull() }, { revokedAt: now });

  return {
    async register(input: { email: string; password: string; displayName: string }): Promise<LoginResult> {
      const email = input.email.toLowerCase();
      const role: UserRole = config.adminEmails.includes(email) ? "admin" : "learner";
      const passwordHash = await hashPassword(input.password);
      try {
        return await db.transaction(async (m) => {
          const { id } = await m.save(m.create(User, { email, passwordHash, displayName: input.displayName, role }));
          // read back as stored (a lone surrogate in the name became U+FFFD)
          return startTokenFamily(m, await m.findOneByOrFail(User, { id }));
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError("CONFLICT", "an account with this email already exists");
        throw err;
      }
    },

    async login(input: { email: string; password: string }): Promise<LoginResult> {
      const user = await users
        .createQueryBuilder("u")
        .addSelect("u.passwordHash")
        .where("u.email = :email", { email: input.email.toLowerCase() })
        .getOne();
      const ok = user ? await verifyPassword(input.password, user.passwordHash) : await dummyVerify(input.password);
      if (!user || !ok) throw new AppError("UNAUTHORIZED", BAD_CREDENTIALS);
      return db.transaction((m) => startTokenFamily(m, user));
    },

    /** Rotates a refresh token. A token presented twice revokes its whole family (this login only). */
    async refresh(token: string): Promise<TokenPair> {
      const outcome = await db.transaction(async (m) => {
        const presented = await m
          .createQueryBuilder(RefreshToken, "t")
          .innerJoinAndSelect("t.user", "u")
          .where("t.tokenHash = :hash", { hash: sha256(token) })
          // two refreshes of one token serialise here: the second sees it used
          .setLock("pessimistic_write", undefined, ["t"])
          .getOne();
        if (!presented) return null;
        if (presented.usedAt) {
          await revokeWhere(m, { familyId: presented.familyId });
          return { reused: true as const, userId: presented.userId };
        }
        if (presented.revokedAt || presented.expiresAt.getTime() <= Date.now()) return null;
        await m.update(RefreshToken, { id: presented.id }, { usedAt: now });
        const refreshToken = await issueRefresh(m, presented.userId, presented.familyId);
        return { reused: false as const, userId: presented.userId, role: presented.user.role, refreshToken };
      });
      if (!outcome) throw new AppError("UNAUTHORIZED", BAD_REFRESH);
      if (outcome.reused) {
        logger.warn({ userId: outcome.userId }, "refresh token reused: its token family (that login) was revoked");
        throw new AppError("UNAUTHORIZED", BAD_REFRESH);
      }
      return { accessToken: tokens.sign(outcome.userId, outcome.role).token, refreshToken: outcome.refreshToken };
    },

    /** Ends the login the token belongs to (its whole family). Unknown tokens are ignored. */
    async logout(token: string): Promise<void> {
      const presented = await db.manager.findOne(RefreshToken, {
        select: { id: true, familyId: true },
        where: { tokenHash: sha256(token) },
      });
      if (presented) await revokeWhere(db.manager, { familyId: presented.familyId });
    },

    async logoutAll(userId: string): Promise<void> {
      await revokeWhere(db.manager, { userId });
    },

    async changePassword(userId: string, input: { currentPassword: string; newPassword: string }): Promise<void> {
      const user = await users.findOne({ select: { id: true, passwordHash: true }, where: { id: userId } });
      if (!user) throw new AppError("UNAUTHORIZED", "user no longer exists");
      if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
        throw new AppError("UNAUTHORIZED", "current password is wrong");
      }
      const passwordHash = await hashPassword(input.newPassword);
      await db.transaction(async (m) => {
        await m.update(User, { id: userId }, { passwordHash });
        await revokeWhere(m, { userId });
      });
    },

    async me(userId: string): Promise<UserShape> {
      const user = await users.findOneBy({ id: userId });
      if (!user) throw new AppError("UNAUTHORIZED", "user no longer exists");
      return toUser(user);
    },

    /** Exact lookup by email in any letter case (mentors and admins; checked by the route). */
    async findByEmail(email: string): Promise<UserShape> {
      const user = await users.findOneBy({ email: email.toLowerCase() });
      if (!user) throw new AppError("NOT_FOUND", "user not found");
      return toUser(user);
    },

    async setRole(userId: string, role: UserRole): Promise<UserShape> {
      const { affected } = await users.update({ id: userId }, { role });
      if (!affected) throw new AppError("NOT_FOUND", "user not found");
      await access.changed(userId);
      const user = await users.findOneBy({ id: userId });
      if (!user) throw new AppError("NOT_FOUND", "user not found");
      return toUser(user);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
