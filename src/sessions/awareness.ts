import type { Core } from "../core.js";
import type { AppSocket } from "../realtime/types.js";
import { sessionRoom } from "./rooms.js";

/** At most one relayed state per socket and session in this interval (20 a second); the rest is coalesced. */
export const AWARENESS_MIN_INTERVAL_MS = 50;
/** The shared hash of last states outlives its last refresh by this long (nodes refresh it while users are in). */
const TTL_MS = 30_000;
export const AWARENESS_REFRESH_MS = 10_000;

const key = (sessionId: string) => `awareness:${sessionId}`;

interface Throttle {
  socket: AppSocket;
  userId: string;
  last: number;
  /** The newest state not yet relayed (coalesced), serialised. */
  pending?: string;
  timer?: NodeJS.Timeout;
  /** The last relayed state, re-stored by the refresh so it outlives the TTL while the socket stays. */
  current?: string;
}

/**
 * Ephemeral cursors and selections: relayed to the session's other sockets, throttled per socket (a burst
 * is coalesced into its newest state), and the last state of each user kept cluster-wide with a TTL for
 * the join ack.
 */
export function createAwareness(core: Pick<Core, "engine" | "logger">) {
  const { engine, logger } = core;
  const throttles = new Map<string, Map<string, Throttle>>(); // sessionId → socketId → throttle

  function relay(sessionId: string, t: Throttle, json: string) {
    t.last = Date.now();
    t.pending = undefined;
    t.current = json;
    t.socket
      .to(sessionRoom(sessionId))
      .emit("awareness:update", { sessionId, userId: t.userId, clientId: null, state: JSON.parse(json) as unknown });
    engine.store
      .hset(key(sessionId), t.userId, json, TTL_MS)
      .catch((err: Error) => logger.debug({ err: err.message }, "awareness state not stored"));
  }

  return {
    /** Relays now, or coalesces into one trailing relay when the socket sent one less than 50 ms ago. */
    update(socket: AppSocket, sessionId: string, userId: string, state: unknown) {
      let bySocket = throttles.get(sessionId);
      if (!bySocket) throttles.set(sessionId, (bySocket = new Map()));
      let t = bySocket.get(socket.id);
      if (!t) bySocket.set(socket.id, (t = { socket, userId, last: 0 }));
      const json = JSON.stringify(state ?? null);
      const wait = t.last + AWARENESS_MIN_INTERVAL_MS - Date.now();
      if (wait <= 0 && !t.timer) return relay(sessionId, t, json);
      t.pending = json;
      const throttle = t;
      throttle.timer ??= setTimeout(
        () => {
          throttle.timer = undefined;
          if (throttle.pending !== undefined) relay(sessionId, throttle, throttle.pending);
        },
        Math.max(0, wait),
      );
    },

    /** Every user's last state in the session, on any node. */
    async list(sessionId: string): Promise<{ userId: string; clientId: number | null; state: unknown }[]> {
      const all = await engine.store.hgetall(key(sessionId));
      return Object.entries(all).flatMap(([userId, json]) => {
        try {
          return [{ userId, clientId: null, state: JSON.parse(json) as unknown }];
        } catch {
          return [];
        }
      });
    },

    /** Stops relaying for a socket that left the session (a pending coalesced state is dropped). */
    drop(socket: AppSocket, sessionId: string) {
      const bySocket = throttles.get(sessionId);
      const t = bySocket?.get(socket.id);
      if (!t) return;
      clearTimeout(t.timer);
      bySocket!.delete(socket.id);
      if (bySocket!.size === 0) throttles.delete(sessionId);
    },

    /** Called once the user's last socket left the session, on whatever node saw it. */
    async forget(sessionId: string, userId: string) {
      await engine.store.hdel(key(sessionId), userId);
    },

    /** Re-stores the current states of local sockets so they outlive the TTL while their users stay. */
    async refresh() {
      for (const [sessionId, bySocket] of throttles) {
        for (const t of bySocket.values())
          if (t.current !== undefined) await engine.store.hset(key(sessionId), t.userId, t.current, TTL_MS);
      }
    },

    stop() {
      for (const bySocket of throttles.values()) for (const t of bySocket.values()) clearTimeout(t.timer);
      throttles.clear();
    },
  };
}

export type Awareness = ReturnType<typeof createAwareness>;
