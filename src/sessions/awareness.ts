import type { Core } from "../core.js";
import type { AppSocket } from "../realtime/types.js";
import { sessionRoom } from "./rooms.js";

/** At most one relayed state per socket and session in this interval (20 a second); the rest is coalesced. */
export const AWARENESS_MIN_INTERVAL_MS = 50;
/** A stored state outlives its last refresh by this long (its node refreshes it while the socket stays). */
const TTL_MS = 30_000;
export const AWARENESS_REFRESH_MS = 10_000;
/**
 * A socket's first state is stored at once; later ones only locally, and stored (the newest) at most this
 * often: a Redis write per relay cost more than the relay. Joins on this node see the local state at once.
 */
export const AWARENESS_FLUSH_MS = 1_000;

const key = (sessionId: string) => `awareness:${sessionId}`;

/** One socket's state in the shared hash (field = socket id), with its own expiry: the hash's TTL covers all. */
interface StoredEntry {
  userId: string;
  clientId: number | null;
  state: unknown;
  exp: number;
}

export interface AwarenessEntry {
  userId: string;
  clientId: number | null;
  state: unknown;
}

interface Throttle {
  socket: AppSocket;
  sessionId: string;
  userId: string;
  clientId: number | null;
  last: number;
  /** The newest state not yet relayed (coalesced); `undefined` when none. */
  pending?: unknown;
  timer?: NodeJS.Timeout;
  /** The last relayed state, re-stored by the refresh so it outlives the TTL while the socket stays. */
  current?: unknown;
  /** Whether `current` was ever stored; a newer one not yet stored is in the dirty set. */
  stored: boolean;
}

function parseEntry(json: string): StoredEntry | null {
  try {
    const e = JSON.parse(json) as Partial<StoredEntry>;
    return typeof e.userId === "string" && typeof e.exp === "number"
      ? { userId: e.userId, clientId: typeof e.clientId === "number" ? e.clientId : null, state: e.state, exp: e.exp }
      : null;
  } catch {
    return null;
  }
}

/**
 * Ephemeral cursors and selections, per socket (a user's two tabs are two entries): relayed to the session's
 * other sockets, throttled per socket (a burst is coalesced into its newest state), and kept cluster-wide for
 * the join ack. When a socket that sent a state leaves, disconnects or loses access, the others get a `null`
 * state for it and its entry is removed; nothing is relayed or stored for it afterwards.
 */
export function createAwareness(core: Pick<Core, "engine" | "logger" | "io">) {
  const { engine, logger, io } = core;
  const throttles = new Map<string, Map<string, Throttle>>(); // sessionId → socketId → throttle
  const quiet = (what: string) => (err: Error) => logger.debug({ err: err.message }, `awareness: ${what} failed`);

  /** Sockets whose newest state is not stored yet (stored by the next flush). */
  const dirty = new Set<Throttle>();

  const isCurrent = (t: Throttle) => throttles.get(t.sessionId)?.get(t.socket.id) === t;

  function store(t: Throttle) {
    dirty.delete(t);
    t.stored = true;
    const entry: StoredEntry = { userId: t.userId, clientId: t.clientId, state: t.current, exp: Date.now() + TTL_MS };
    return engine.sharedState.hset(key(t.sessionId), t.socket.id, JSON.stringify(entry), TTL_MS);
  }

  function relayNull(sessionId: string, userId: string, clientId: number | null) {
    io.to(sessionRoom(sessionId)).emit("awareness:update", { sessionId, userId, clientId, state: null });
  }

  function relay(t: Throttle, state: unknown) {
    if (!isCurrent(t) || t.socket.disconnected || !t.socket.rooms.has(sessionRoom(t.sessionId))) return;
    t.last = Date.now();
    t.pending = undefined;
    if (state === null) {
      // the client cleared its state: the same as having none
      if (t.current === undefined) return;
      t.current = undefined;
      t.stored = false;
      dirty.delete(t);
      t.socket
        .to(sessionRoom(t.sessionId))
        .emit("awareness:update", { sessionId: t.sessionId, userId: t.userId, clientId: t.clientId, state: null });
      engine.sharedState.hdel(key(t.sessionId), t.socket.id).catch(quiet("delete"));
      return;
    }
    // the parsed payload is relayed and kept as it is: nothing mutates it
    t.current = state;
    t.socket
      .to(sessionRoom(t.sessionId))
      .emit("awareness:update", { sessionId: t.sessionId, userId: t.userId, clientId: t.clientId, state });
    if (t.stored) dirty.add(t);
    else store(t).catch(quiet("store"));
  }

  function drop(socket: AppSocket, sessionId: string) {
    const bySocket = throttles.get(sessionId);
    const t = bySocket?.get(socket.id);
    if (!t) return;
    clearTimeout(t.timer);
    dirty.delete(t);
    bySocket!.delete(socket.id);
    if (bySocket!.size === 0) throttles.delete(sessionId);
    if (t.current === undefined) return;
    relayNull(sessionId, t.userId, t.clientId);
    engine.sharedState.hdel(key(sessionId), socket.id).catch(quiet("delete"));
  }

  return {
    /** Relays now, or coalesces into one trailing relay when the socket sent one less than 50 ms ago. */
    update(socket: AppSocket, sessionId: string, userId: string, state: unknown, clientId: number | null) {
      // the socket may have left (or disconnected) while the event's checks were awaited
      if (socket.disconnected || !socket.rooms.has(sessionRoom(sessionId))) return;
      let bySocket = throttles.get(sessionId);
      if (!bySocket) throttles.set(sessionId, (bySocket = new Map()));
      let t = bySocket.get(socket.id);
      if (!t) {
        bySocket.set(socket.id, (t = { socket, sessionId, userId, clientId, last: 0, stored: false }));
        socket.once("disconnect", () => drop(socket, sessionId));
      }
      if (t.clientId !== clientId) {
        // a new Awareness instance in the same connection: the old clientID's state is gone
        if (t.current !== undefined) {
          t.socket.to(sessionRoom(sessionId)).emit("awareness:update", { sessionId, userId, clientId: t.clientId, state: null });
          t.current = undefined;
          t.stored = false;
          dirty.delete(t);
        }
        t.clientId = clientId;
      }
      const next = state ?? null;
      const wait = t.last + AWARENESS_MIN_INTERVAL_MS - Date.now();
      if (wait <= 0 && !t.timer) return relay(t, next);
      t.pending = next;
      const throttle = t;
      throttle.timer ??= setTimeout(
        () => {
          throttle.timer = undefined;
          if (throttle.pending !== undefined) relay(throttle, throttle.pending);
        },
        Math.max(0, wait),
      );
    },

    /**
     * Every socket's last state in the session, on any node (one entry per socket with a state): this node's
     * own sockets as they are now, the others' as last stored (at most a flush interval old).
     */
    async list(sessionId: string): Promise<AwarenessEntry[]> {
      const all = await engine.sharedState.hgetall(key(sessionId));
      const now = Date.now();
      const local = throttles.get(sessionId);
      const entries: AwarenessEntry[] = [];
      for (const [socketId, json] of Object.entries(all)) {
        if (local?.has(socketId)) continue;
        const e = parseEntry(json);
        if (e && e.exp > now && e.state !== null) entries.push({ userId: e.userId, clientId: e.clientId, state: e.state });
      }
      for (const t of local?.values() ?? [])
        if (t.current !== undefined && !t.socket.disconnected)
          entries.push({ userId: t.userId, clientId: t.clientId, state: t.current });
      return entries;
    },

    /** A socket left the session, disconnected or lost access: the others get `state: null` for it. */
    drop,

    /**
     * A socket of a dead node was swept from the presence (the winner of its removal calls this once): its
     * entry is removed and the others told, if it had a state.
     */
    async expire(sessionId: string, socketId: string) {
      const json = (await engine.sharedState.hgetall(key(sessionId)))[socketId];
      if (json === undefined || !(await engine.sharedState.hdel(key(sessionId), socketId))) return;
      const e = parseEntry(json);
      if (e) relayNull(sessionId, e.userId, e.clientId);
    },

    /** Stores the newest state of each local socket that relayed one since the last flush. */
    async flush() {
      const due = [...dirty];
      dirty.clear();
      const live = due.filter((t) => t.current !== undefined && isCurrent(t) && !t.socket.disconnected);
      await Promise.all(live.map((t) => store(t)));
    },

    /** Re-stores the current states of local sockets so they outlive the TTL while the sockets stay. */
    async refresh() {
      for (const bySocket of [...throttles.values()]) {
        for (const t of [...bySocket.values()]) {
          // a socket gone meanwhile (between two awaits) is never stored again
          if (t.current !== undefined && isCurrent(t) && !t.socket.disconnected) await store(t);
        }
      }
    },

    stop() {
      for (const bySocket of throttles.values()) for (const t of bySocket.values()) clearTimeout(t.timer);
      throttles.clear();
      dirty.clear();
    },
  };
}

export type Awareness = ReturnType<typeof createAwareness>;
