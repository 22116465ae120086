import { createHash, randomBytes } from "node:crypto";
import type { Core } from "../core.js";
import { iso } from "../db/time.js";
import { AppError } from "../errors.js";
import type { UserAccess } from "../identity/access.js";
import { hashPassword } from "./passwords.js";
import { endAllAccess } from "./revoke.js";

const RESET_TTL_MINUTES = 60;
const sha256 = (token: string) => createHash("sha256").update(token).digest("hex");

/** Admin password resets: a one-use token (only its hash is stored) that sets a new password within an hour. */
export function createPasswordResets(core: Pick<Core, "db" | "access">) {
  const { db, access } = core;
  return {
    async create(caller: UserAccess, userId: string): Promise<{ resetToken: string; expiresAt: string }> {
      if (caller.role !== "admin") throw new AppError("FORBIDDEN", "only admins may reset passwords");
      const token = randomBytes(32).toString("base64url");
      const rows = (await db.query(
        `INSERT INTO password_resets (user_id, token_hash, created_by, expires_at)
         SELECT u.id, $2, $3, now() + make_interval(mins => $4) FROM users u WHERE u.id = $1
         RETURNING expires_at`,
        [userId, sha256(token), caller.userId, RESET_TTL_MINUTES],
      )) as { expires_at: Date | string }[];
      const row = rows[0];
      if (!row) throw new AppError("NOT_FOUND", "user not found");
      return { resetToken: token, expiresAt: iso(row.expires_at) };
    },

    /** Uses a reset token once (the conditional UPDATE makes two concurrent uses impossible). */
    async reset(token: string, newPassword: string): Promise<void> {
      const hash = await hashPassword(newPassword);
      const userId = await db.transaction(async (m) => {
        const [rows] = (await m.query(
          `UPDATE password_resets SET used_at = now()
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
            RETURNING user_id`,
          [sha256(token)],
        )) as [{ user_id: string }[], number];
        const id = rows[0]?.user_id;
        if (!id) return null;
        await m.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [id, hash]);
        await endAllAccess(m, id);
        return id;
      });
      if (!userId) throw new AppError("UNAUTHORIZED", "invalid or expired reset token");
      await access.changed(userId);
    },
  };
}
