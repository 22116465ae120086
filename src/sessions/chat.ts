import type { DataSource } from "typeorm";
import { AppError } from "../errors.js";
import type { ChatMessage as ChatMessageDto } from "../contract/index.js";
import { iso } from "../db/time.js";

interface MessageRow {
  id: string;
  session_id: string;
  author_id: string;
  display_name: string;
  body: string;
  created_at: Date | string;
}

const toMessage = (r: MessageRow): ChatMessageDto => ({
  id: r.id,
  sessionId: r.session_id,
  author: { id: r.author_id, displayName: r.display_name },
  body: r.body,
  createdAt: iso(r.created_at),
});

const SELECT = `SELECT c.id, c.session_id, c.author_id, u.display_name, c.body, c.created_at
  FROM chat_messages c JOIN users u ON u.id = c.author_id`;

/** Session chat: idempotent sends keyed by (session, author, clientId) and keyset-paged history. */
export function createChatService(db: DataSource) {
  return {
    /**
     * Stores a message once per (session, author, clientId). `created` is false for a retry, which gets the
     * original message back. Only a live session accepts a new message (checked in the INSERT itself).
     */
    async send(
      sessionId: string,
      authorId: string,
      input: { body: string; clientId: string },
    ): Promise<{ message: ChatMessageDto; created: boolean }> {
      const inserted = (await db.query(
        `WITH ins AS (
           INSERT INTO chat_messages (session_id, author_id, client_id, body)
           SELECT s.id, $2::uuid, $3::uuid, $4::text FROM live_sessions s WHERE s.id = $1 AND s.status = 'live'
           ON CONFLICT ON CONSTRAINT uq_chat_messages_client DO NOTHING
           RETURNING id, session_id, author_id, body, created_at
         )
         SELECT ins.id, ins.session_id, ins.author_id, u.display_name, ins.body, ins.created_at
           FROM ins JOIN users u ON u.id = ins.author_id`,
        [sessionId, authorId, input.clientId, input.body],
      )) as MessageRow[];
      if (inserted[0]) return { message: toMessage(inserted[0]), created: true };
      const [existing] = (await db.query(`${SELECT} WHERE c.session_id = $1 AND c.author_id = $2 AND c.client_id = $3`, [
        sessionId,
        authorId,
        input.clientId,
      ])) as MessageRow[];
      if (existing) return { message: toMessage(existing), created: false };
      throw new AppError("FORBIDDEN", "the session is not live");
    },

    /** Oldest first after the exclusive cursor `after` (a message id); `nextCursor` when there is more. */
    async history(
      sessionId: string,
      opts: { after?: string; limit: number },
    ): Promise<{ messages: ChatMessageDto[]; nextCursor: string | null }> {
      const params: unknown[] = [sessionId, opts.limit + 1];
      let cursor = "";
      if (opts.after) {
        params.push(opts.after);
        cursor = `AND (c.created_at, c.id) > (SELECT created_at, id FROM chat_messages WHERE id = $3 AND session_id = $1)`;
      }
      const rows = (await db.query(
        `${SELECT} WHERE c.session_id = $1 ${cursor} ORDER BY c.created_at, c.id LIMIT $2`,
        params,
      )) as MessageRow[];
      // an unknown cursor is 404, not an empty page that reads as "nothing newer"
      if (rows.length === 0 && opts.after) {
        const found: unknown[] = await db.query(`SELECT 1 FROM chat_messages WHERE id = $1 AND session_id = $2`, [
          opts.after,
          sessionId,
        ]);
        if (found.length === 0) throw new AppError("NOT_FOUND", "message not found");
      }
      const more = rows.length > opts.limit;
      const kept = more ? rows.slice(0, opts.limit) : rows;
      return { messages: kept.map(toMessage), nextCursor: more ? kept[kept.length - 1].id : null };
    },

    /** The newest `limit` messages, oldest first (the join ack's chat). */
    async recent(sessionId: string, limit = 50): Promise<ChatMessageDto[]> {
      const rows = (await db.query(`${SELECT} WHERE c.session_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2`, [
        sessionId,
        limit,
      ])) as MessageRow[];
      return rows.reverse().map(toMessage);
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
