import type { DataSource } from "typeorm";

/**
 * Stores a chat message if its session is live and (session, author, clientId) is new; the id, or null when
 * nothing was stored (a retry, or a session that is not live).
 *
 * Raw SQL because the rule is one statement: the liveness check is the INSERT's own SELECT and a retry is absorbed
 * by ON CONFLICT on the unique key, so a message can never land in a session that just ended and two concurrent
 * retries store it once. TypeORM's insert builder has no INSERT … SELECT.
 */
export async function insertIfLive(
  db: DataSource,
  message: { sessionId: string; authorId: string; clientId: string; body: string },
): Promise<string | null> {
  const inserted = (await db.query(
    `INSERT INTO chat_messages (session_id, author_id, client_id, body)
     SELECT s.id, $2::uuid, $3::uuid, $4::text FROM live_sessions s WHERE s.id = $1 AND s.status = 'live'
     ON CONFLICT ON CONSTRAINT uq_chat_messages_client DO NOTHING
     RETURNING id`,
    [message.sessionId, message.authorId, message.clientId, message.body],
  )) as { id: string }[];
  return inserted[0]?.id ?? null;
}
