import { Counter } from "prom-client";
import type { Core, DomainModule } from "../core.js";
import type { NotificationService } from "../notifications/index.js";
import { AWARENESS_REFRESH_MS, createAwareness } from "./awareness.js";
import { createChatService, type ChatService } from "./chat.js";
import { deliverSessionEvents } from "./delivery.js";
import { createPresence, HEARTBEAT_MS } from "./presence.js";
import { sessionRouter } from "./routes.js";
import { createSessionCache } from "./session-cache.js";
import { createSessionService, type SessionService } from "./service.js";
import { sessionHandlers } from "./socket.js";
import { createTypeormDocumentStore } from "./typeorm-document-store.js";

const ROOM_PREFIX = "session:";

/** Repeats `task` every `ms` (never two runs at once), logging failures. */
function every(ms: number, task: () => Promise<void>, onError: (err: Error) => void) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => (running = false));
  }, ms);
  timer.unref();
  return timer;
}

export function sessionsModule(
  core: Core,
  notifications: NotificationService,
): DomainModule & { service: SessionService; chat: ChatService } {
  const { logger } = core;
  const stored = new Counter({
    name: "cohort_live_doc_updates_stored_total",
    help: "Document updates committed to the log",
    registers: [core.metrics.registry],
  });
  const inserts = new Counter({
    name: "cohort_live_doc_update_inserts_total",
    help: "INSERT statements (commits) that stored them: fewer than the updates when writes are batched",
    registers: [core.metrics.registry],
  });
  const docs = createTypeormDocumentStore(core.db, {
    logger,
    onInsert: (n) => {
      inserts.inc();
      stored.inc(n);
    },
  });
  const cache = createSessionCache(core);
  const sessions = createSessionService(core, { docs, cache, notifications });
  const chat = createChatService(core.db);
  deliverSessionEvents(core);
  const awareness = createAwareness(core);
  const presence = createPresence(core, { onSocketSwept: (sessionId, socketId) => awareness.expire(sessionId, socketId) });

  // a member removed from the cohort: their sockets were made to leave the room on every node; drop their presence
  core.events.on("cohort.room.revoked", async ({ socket, room }) => {
    if (!room.startsWith(ROOM_PREFIX)) return;
    const sessionId = room.slice(ROOM_PREFIX.length);
    awareness.drop(socket, sessionId);
    await presence.leave(socket, sessionId);
  });

  const warn = (what: string) => (err: Error) => logger.warn({ err: err.message }, `sessions: ${what} failed`);
  const timers: NodeJS.Timeout[] = [];

  return {
    service: sessions,
    chat,
    routes: sessionRouter(core, sessions, chat),
    handlers: sessionHandlers(core, { sessions, cache, docs, chat, presence, awareness }),
    start() {
      timers.push(
        every(HEARTBEAT_MS, () => presence.heartbeat(), warn("presence heartbeat")),
        every(HEARTBEAT_MS, () => presence.sweep(), warn("presence sweep")),
        every(AWARENESS_REFRESH_MS, () => awareness.refresh(), warn("awareness refresh")),
      );
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      awareness.stop();
      await presence.settle();
      await docs.close();
    },
  };
}

export type { ChatService } from "./chat.js";
export type { SessionService } from "./service.js";
