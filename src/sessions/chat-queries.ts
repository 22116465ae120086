import type { DataSource } from "typeorm";

/** A stored message with its author's display name, as `insertIfLive` returns it. */
export interface InsertedMessage {
  id: string;
  body: string;
  created_at: Date;
  display_name: string;
}

/**
 * Stores a chat message if its session is live and (session, author, clientId) is new, and returns it with its
 * author's name; null when nothing was stored (a retry, or a session that is not live).
 *
 * Raw SQL because the rule is one statement: the liveness check is the INSERT's own SELECT and a retry is absorbed
 * by ON CONFLICT on the unique key, so a message can never land in a session that just ended and two concurrent
 * retries store it once. TypeORM's insert builder has no INSERT … SELECT. It is also the chat's hot path (every
 * message of every session): one round trip returns what the ack and the relay need, with no second read.
 */
export async function insertIfLive(
  db: DataSource,
  message: { sessionId: string; authorId: string; clientId: string; body: string },
): Promise<InsertedMessage | null> {
  const inserted = (await db.query(
    `WITH inserted AS (
       INSERT INTO chat_messages (session_id, author_id, client_id, body)
       SELECT s.id, $2::uuid, $3::uuid, $4::text FROM live_sessions s WHERE s.id = $1 AND s.status = 'live'
       ON CONFLICT ON CONSTRAINT uq_chat_messages_client DO NOTHING
       RETURNING id, body, created_at
     )
     SELECT i.id, i.body, i.created_at, u.display_name FROM inserted i JOIN users u ON u.id = $2::uuid`,
    [message.sessionId, message.authorId, message.clientId, message.body],
  )) as InsertedMessage[];
  return inserted[0] ?? null;
}
