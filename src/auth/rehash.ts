import type { DataSource } from "typeorm";
import type { Logger } from "../logger.js";
import { hashPassword, needsRehash } from "./passwords.js";

/**
 * After a successful login: replaces a hash made with older scrypt parameters by one of the current cost. Only
 * if the row still holds the hash that was verified (a password change meanwhile wins). Never fails the login.
 */
export async function rehashIfOutdated(db: DataSource, logger: Logger, userId: string, stored: string, password: string) {
  if (!needsRehash(stored)) return;
  try {
    const hash = await hashPassword(password);
    await db.query(`UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`, [userId, stored, hash]);
  } catch (err) {
    logger.warn({ err: (err as Error).message, userId }, "password rehash failed");
  }
}
