import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { defineHandler, EMPTY, type EventHandler, type HandlerContext } from "../realtime/handler.js";
import type { PresenceUser } from "../contract/index.js";
import type { Awareness } from "./awareness.js";
import type { ChatService } from "./chat.js";
import type { DocumentRelay } from "./document-relay.js";
import type { DocumentStore } from "./document-store.js";
import type { LiveDocuments } from "./live-documents.js";
import type { Presence } from "./presence.js";
import { sessionRoom } from "./rooms.js";
import type { SessionCache, SessionInfo } from "./session-cache.js";
import type { SessionService } from "./service.js";
import { assertValidStateVector, assertValidUpdate } from "./ydoc.js";

export interface SessionSocketDeps {
  sessions: SessionService;
  cache: SessionCache;
  docs: DocumentStore;
  live: LiveDocuments;
  relay: DocumentRelay;
  chat: ChatService;
  presence: Presence;
  awareness: Awareness;
}

/** Socket events of live sessions. Every check after the join is in memory: the join, the access cache, the session cache. */
export function sessionHandlers(core: Core, deps: SessionSocketDeps): EventHandler[] {
  const { sessions, cache, docs, live, relay, chat, presence, awareness } = deps;

  /** FORBIDDEN for a socket that did not join the session; NOT_FOUND when there is no such session at all. */
  async function notJoined(sessionId: string, message: string): Promise<never> {
    if (!(await cache.get(sessionId))) throw new AppError("NOT_FOUND", "session not found");
    throw new AppError("FORBIDDEN", message);
  }

  /** The session, if this socket joined it and its user is still a member (and it is live, when `live`). */
  async function joined(ctx: HandlerContext, sessionId: string, live = false): Promise<SessionInfo> {
    if (!presence.isJoined(ctx.socket, sessionId)) return notJoined(sessionId, "join the session first");
    let info = await cache.get(sessionId);
    // a refusal is never based on a cached status: the session may have just started on another node
    if (info && live && info.status !== "live") info = await cache.fresh(sessionId);
    if (!info || !core.access.cohortRole(ctx.access, info.cohortId))
      throw new AppError("FORBIDDEN", "not a member of this cohort");
    if (live && info.status !== "live") throw new AppError("FORBIDDEN", `the session is ${info.status}, not live`);
    return info;
  }

  return [
    defineHandler("session:join", async ({ sessionId }, ctx) => {
      const { cohortId, role } = await sessions.membership(ctx.access, sessionId);
      if (ctx.socket.disconnected) throw new AppError("UNAVAILABLE", "the socket disconnected");
      // join the room before reading the document: an update committed after the read is relayed to us
      await core.rooms.join(ctx.socket, sessionRoom(sessionId), cohortId);
      const user: PresenceUser = { userId: ctx.userId, displayName: ctx.access.displayName, role };
      // everything else at once: each is a round trip, and on a busy node every one waits for the event loop
      const [session, state, , present, states, messages] = await Promise.all([
        // read now, so the ack shows the status as it is after the join
        sessions.get(ctx.access, sessionId),
        live.state(sessionId),
        presence.join(ctx.socket, sessionId, user),
        // read alongside the registration: the joining user is added below if the list was read before it
        presence.list(sessionId).catch(() => [] as PresenceUser[]),
        awareness.list(sessionId).catch(() => []),
        chat.recent(sessionId, 50),
      ]);
      if (!present.some((p) => p.userId === ctx.userId)) present.push(user);
      return { session, state, presence: present, awareness: states, chat: messages };
    }),

    defineHandler("session:leave", async ({ sessionId }, ctx) => {
      if (!presence.isJoined(ctx.socket, sessionId)) await notJoined(sessionId, "not in this session");
      await ctx.socket.leave(sessionRoom(sessionId));
      // after leaving the room, so the null state for this socket goes to the others only
      awareness.drop(ctx.socket, sessionId);
      await presence.leave(ctx.socket, sessionId);
      return {};
    }),

    defineHandler("doc:update", async ({ sessionId, update }, ctx) => {
      await joined(ctx, sessionId, true);
      assertValidUpdate(update);
      // PAYLOAD_TOO_LARGE, storing nothing, when the document would grow past DOC_MAX_BYTES
      const release = await live.admit(sessionId, update.byteLength);
      try {
        // resolves after the commit (rejects FORBIDDEN, storing nothing, if the session stopped being live)
        const row = await docs.append(sessionId, update, ctx.userId);
        live.apply(sessionId, row, update);
        // relay right after the ack goes out (the ack is sent when this handler returns)
        const socketId = ctx.socket.id;
        setImmediate(() => relay.committed(socketId, sessionId, ctx.userId, row, update));
      } finally {
        release();
      }
      return EMPTY;
    }),

    defineHandler("doc:sync", async ({ sessionId, stateVector }, ctx) => {
      await joined(ctx, sessionId);
      assertValidStateVector(stateVector);
      return live.diff(sessionId, stateVector);
    }),

    defineHandler("awareness:update", async ({ sessionId, state, clientId }, ctx) => {
      await joined(ctx, sessionId, true);
      awareness.update(ctx.socket, sessionId, ctx.userId, state, clientId ?? null);
      return EMPTY;
    }),

    defineHandler("chat:send", async ({ sessionId, body, clientId }, ctx) => {
      // liveness is checked by the INSERT itself, so a retry after the end still gets its original message
      await joined(ctx, sessionId);
      const { message, created } = await chat.send(sessionId, ctx.userId, { body, clientId });
      if (created) core.io.to(sessionRoom(sessionId)).emit("chat:message", { sessionId, message });
      return { message };
    }),

    defineHandler("chat:history", async ({ sessionId, after, limit }, ctx) => {
      await joined(ctx, sessionId);
      return chat.history(sessionId, { after, limit });
    }),
  ];
}
