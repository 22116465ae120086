import { Counter, Gauge } from "prom-client";
import type { Core, DomainModule } from "../core.js";
import type { NotificationService } from "../notifications/index.js";
import { AWARENESS_FLUSH_MS, AWARENESS_REFRESH_MS, createAwareness } from "./awareness.js";
import { createChatService, type ChatService } from "./chat.js";
import { createDocPool } from "./doc-pool.js";
import { createDocumentHistory, type DocumentHistory } from "./document-history.js";
import { createDocumentRelay } from "./document-relay.js";
import { createLiveDocuments } from "./live-documents.js";
import { deliverSessionEvents } from "./delivery.js";
import { createPresence, HEARTBEAT_MS } from "./presence.js";
import { sessionRoom } from "./rooms.js";
import { sessionRouter } from "./routes.js";
import { createSessionCache } from "./session-cache.js";
import { createSessionService, type SessionService } from "./service.js";
import { sessionHandlers } from "./socket.js";
import { createTypeormDocumentStore } from "./typeorm-document-store.js";

const ROOM_PREFIX = "session:";
/** How often unused in-memory documents are looked for. */
const DOCUMENT_SWEEP_MS = 15_000;

/**
 * Repeats `task` every `ms` (never two runs at once), logging failures. Each task starts at a random phase,
 * so the periodic tasks of a node (and of nodes started together) do not all run in the same tick.
 */
function every(ms: number, task: () => Promise<void>, onError: (err: Error) => void): () => void {
  let running = false;
  let interval: NodeJS.Timeout | undefined;
  const tick = () => {
    if (running) return;
    running = true;
    task()
      .catch(onError)
      .finally(() => (running = false));
  };
  const first = setTimeout(() => {
    tick();
    interval = setInterval(tick, ms);
    interval.unref();
  }, Math.random() * ms);
  first.unref();
  return () => {
    clearTimeout(first);
    clearInterval(interval);
  };
}

export function sessionsModule(
  core: Core,
  notifications: NotificationService,
): DomainModule & { service: SessionService; chat: ChatService; history: DocumentHistory } {
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
  const compactions = new Counter({
    name: "cohort_live_doc_compactions_total",
    help: "Background compactions that folded log rows into a session's snapshot (the rows stay as history)",
    registers: [core.metrics.registry],
  });
  const pool = createDocPool();
  const docs = createTypeormDocumentStore(core.db, {
    logger,
    pool,
    compactDelayMs: core.config.docCompactionDelayMs,
    onCompacted: () => compactions.inc(),
    onInsert: (n) => {
      inserts.inc();
      stored.inc(n);
    },
  });
  const live = createLiveDocuments({
    store: docs,
    pool,
    maxBytes: core.config.docMaxBytes,
    // alone, every update is written (and applied) by this node: memory is always complete
    verify: core.config.redis !== null,
    localSockets: (sessionId) => core.io.of("/").adapter.rooms.get(sessionRoom(sessionId))?.size ?? 0,
  });
  new Gauge({
    name: "cohort_live_documents_in_memory",
    help: "Session documents this node holds in memory",
    registers: [core.metrics.registry],
    collect() {
      this.set(live.size());
    },
  });
  const relay = createDocumentRelay(core, live);
  const history = createDocumentHistory(core.db, pool, core.config.jwt.secret);
  const cache = createSessionCache(core);
  const sessions = createSessionService(core, { docs, live, cache, notifications });
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
  const timers: (() => void)[] = [];

  return {
    service: sessions,
    chat,
    history,
    routes: sessionRouter(core, sessions, chat, history),
    handlers: sessionHandlers(core, { sessions, cache, docs, live, relay, chat, presence, awareness }),
    start() {
      timers.push(
        every(HEARTBEAT_MS, () => presence.heartbeat(), warn("presence heartbeat")),
        every(HEARTBEAT_MS, () => presence.sweep(), warn("presence sweep")),
        every(AWARENESS_REFRESH_MS, () => awareness.refresh(), warn("awareness refresh")),
        every(DOCUMENT_SWEEP_MS, async () => live.sweep(), warn("document sweep")),
        every(AWARENESS_FLUSH_MS, () => awareness.flush(), warn("awareness flush")),
      );
    },
    async stop() {
      for (const stop of timers) stop();
      awareness.stop();
      await presence.settle();
      await docs.close();
      await pool.close();
    },
  };
}

export type { ChatService } from "./chat.js";
export type { DocumentHistory } from "./document-history.js";
export type { SessionService } from "./service.js";
