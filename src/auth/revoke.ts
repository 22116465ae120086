import type { EntityManager } from "typeorm";

/**
 * Ends every login of a user inside the caller's transaction: revokes their refresh tokens and moves their token
 * epoch on, so access tokens signed before are refused. The caller runs `access.changed(userId)` after the
 * commit, which ends the user's sockets on every node (realtime/revocation.ts).
 */
export async function endAllAccess(m: EntityManager, userId: string): Promise<void> {
  await m.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
  await m.query(`UPDATE users SET token_epoch = token_epoch + 1 WHERE id = $1`, [userId]);
}
