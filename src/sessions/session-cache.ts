import type { DataSource } from "typeorm";
import { LiveSession, type LiveSessionStatus } from "../../entities/index.js";
import type { Bus } from "../events/bus.js";
import type { Logger } from "../logger.js";

/** The parts of a session every event checks: its cohort and host never change; its status does. */
export interface SessionInfo {
  id: string;
  cohortId: string;
  hostId: string;
  status: LiveSessionStatus;
}

/** Bounds staleness if an invalidation message is lost; normally a change is seen at once on every node. */
const TTL_MS = 5_000;

/**
 * Per-node cache of session → (cohort, host, status), so membership and status checks on every socket
 * event cost no query. A status change anywhere calls `changed`, which drops the entry on every node.
 * Writes re-check the status in their own SQL, so a stale entry can never let a write through.
 */
export function createSessionCache(deps: { db: DataSource; bus: Bus; logger: Logger }) {
  const { db, bus, logger } = deps;
  const entries = new Map<string, { info: SessionInfo | null; at: number }>();
  const loading = new Map<string, Promise<SessionInfo | null>>();
  // bumped by every invalidation, so a load that started before it is not cached after it
  let generation = 0;

  function drop(sessionId: string) {
    generation++;
    entries.delete(sessionId);
    loading.delete(sessionId);
  }
  bus.subscribe("session.changed", ({ sessionId }) => drop(sessionId));

  async function load(sessionId: string): Promise<SessionInfo | null> {
    const started = generation;
    const found = await db.manager.findOne(LiveSession, {
      select: { id: true, cohortId: true, hostId: true, status: true },
      where: { id: sessionId },
    });
    const info = found ? { id: found.id, cohortId: found.cohortId, hostId: found.hostId, status: found.status } : null;
    if (generation === started) {
      // unknown ids are not remembered: a session created a moment later must be found
      if (info) entries.set(sessionId, { info, at: Date.now() });
    }
    return info;
  }

  const cache = {
    async get(sessionId: string): Promise<SessionInfo | null> {
      const hit = entries.get(sessionId);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.info;
      const pending = loading.get(sessionId);
      if (pending) return pending;
      const p: Promise<SessionInfo | null> = load(sessionId).finally(() => {
        if (loading.get(sessionId) === p) loading.delete(sessionId);
      });
      loading.set(sessionId, p);
      return p;
    },

    /** Reads the session from the database now (when a cached answer would refuse something). */
    async fresh(sessionId: string): Promise<SessionInfo | null> {
      drop(sessionId);
      return cache.get(sessionId);
    },

    /** Call after committing a change of the session's status: drops it here and on every other node. */
    async changed(sessionId: string): Promise<void> {
      drop(sessionId);
      try {
        await bus.publish("session.changed", { sessionId });
      } catch (err) {
        logger.warn({ err: (err as Error).message }, "session change not broadcast; other nodes catch up within the cache TTL");
      }
    },
  };
  return cache;
}

export type SessionCache = ReturnType<typeof createSessionCache>;
