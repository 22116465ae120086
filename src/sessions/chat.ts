import type { DataSource } from "typeorm";
import { ChatMessage } from "../../entities/index.js";
import { AppError } from "../errors.js";
import type { ChatMessage as ChatMessageShape } from "../contract/index.js";
import { keysetPage } from "../db/paging.js";
import { iso } from "../db/time.js";
import { insertIfLive } from "./chat-queries.js";

/** A message with its `author` joined. */
const toChatMessage = (c: ChatMessage): ChatMessageShape => ({
  id: c.id,
  sessionId: c.sessionId,
  author: { id: c.author.id, displayName: c.author.displayName },
  body: c.body,
  createdAt: iso(c.createdAt),
});

/** Session chat: idempotent sends keyed by (session, author, clientId) and keyset-paged history. */
export function createChatService(db: DataSource) {
  const messages = db.getRepository(ChatMessage);
  const withAuthor = { author: true } as const;

  return {
    /**
     * Stores a message once per (session, author, clientId). `created` is false for a retry, which gets the
     * original message back. Only a live session accepts a new message (checked in the INSERT itself).
     */
    async send(
      sessionId: string,
      authorId: string,
      input: { body: string; clientId: string },
    ): Promise<{ message: ChatMessageShape; created: boolean }> {
      const inserted = await insertIfLive(db, { sessionId, authorId, ...input });
      if (inserted) {
        const { id, body, created_at, display_name } = inserted;
        const author = { id: authorId, displayName: display_name };
        return { message: { id, sessionId, author, body, createdAt: iso(created_at) }, created: true };
      }
      // a retry gets the message it stored first
      const stored = await messages.findOne({ where: { sessionId, authorId, clientId: input.clientId }, relations: withAuthor });
      if (stored) return { message: toChatMessage(stored), created: false };
      throw new AppError("FORBIDDEN", "the session is not live");
    },

    /** Oldest first after the exclusive cursor `after` (a message id); `nextCursor` when there is more. */
    async history(
      sessionId: string,
      page: { after?: string; limit: number },
    ): Promise<{ messages: ChatMessageShape[]; nextCursor: string | null }> {
      const qb = messages
        .createQueryBuilder("c")
        .innerJoinAndSelect("c.author", "author")
        .where("c.sessionId = :sessionId", { sessionId });
      const { items, nextCursor } = await keysetPage(qb, page, { scope: { sessionId }, notFound: "message not found" });
      return { messages: items.map(toChatMessage), nextCursor };
    },

    /** The newest `limit` messages, oldest first (the join ack's chat). */
    async recent(sessionId: string, limit = 50): Promise<ChatMessageShape[]> {
      // `limit`, not `take`: a many-to-one join needs no distinct-ids pre-query
      const newest = await messages
        .createQueryBuilder("c")
        .innerJoinAndSelect("c.author", "author")
        .where("c.sessionId = :sessionId", { sessionId })
        .orderBy("c.createdAt", "DESC")
        .addOrderBy("c.id", "DESC")
        .limit(limit)
        .getMany();
      return newest.reverse().map(toChatMessage);
    },
  };
}

export type ChatService = ReturnType<typeof createChatService>;
