import type { DataSource } from "typeorm";
import type { CohortRole, UserRole } from "../../entities/index.js";
import type { Bus } from "../events/bus.js";
import type { DomainEventBus } from "../events/domain-events.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";

/** What the database says a user may do right now: their global role and their cohort memberships. */
export interface UserAccess {
  userId: string;
  displayName: string;
  role: UserRole;
  cohorts: Map<string, CohortRole>;
}

/** Bounds staleness if an invalidation message is lost (Redis outage); normally invalidation is immediate. */
const TTL_MS = 30_000;

interface Entry {
  access: UserAccess | null;
  at: number;
  loading?: Promise<UserAccess | null>;
  /** When a use of the entry starts a reload in the background (a random point in the second half of the TTL). */
  refreshAt?: number;
  refreshing?: boolean;
}

/**
 * Cached membership checks used by every request and socket event. Any membership or role change calls
 * `changed(userId)`, which drops the entry here and, through the bus, on every node; each node then emits the
 * `access.changed` domain event (cohort rooms re-check that user's sockets).
 */
export function createAccessService(deps: { db: DataSource; bus: Bus; events: DomainEventBus; logger: Logger }) {
  const { db, bus, events, logger } = deps;
  const cache = new Map<string, Entry>();
  const fresh = (access: UserAccess | null, at: number): Entry => ({
    access,
    at,
    refreshAt: at + TTL_MS * (0.5 + Math.random() * 0.4),
  });

  /**
   * Reloads an entry still in use before it expires, off the caller's path: entries loaded together (every
   * socket of a class connecting at once) would otherwise expire together and stall their events on the pool.
   */
  function refreshAhead(userId: string, entry: Entry) {
    entry.refreshing = true;
    load(userId).then(
      (access) => {
        // dropped or replaced meanwhile (an invalidation): what was read may be older than the change
        if (cache.get(userId) === entry) cache.set(userId, fresh(access, Date.now()));
      },
      (err: Error) => {
        entry.refreshing = false;
        logger.debug({ err: err.message }, "access refresh failed; the entry expires as usual");
      },
    );
  }

  async function load(userId: string): Promise<UserAccess | null> {
    const rows: { display_name: string; role: UserRole; cohort_id: string | null; cohort_role: CohortRole | null }[] =
      await db.query(
        `SELECT u.display_name, u.role, m.cohort_id, m.role AS cohort_role
           FROM users u LEFT JOIN memberships m ON m.user_id = u.id
          WHERE u.id = $1`,
        [userId],
      );
    const first = rows[0];
    if (!first) return null;
    const cohorts = new Map<string, CohortRole>();
    for (const r of rows) if (r.cohort_id && r.cohort_role) cohorts.set(r.cohort_id, r.cohort_role);
    return { userId, displayName: first.display_name, role: first.role, cohorts };
  }

  function invalidateLocal(userId: string) {
    cache.delete(userId);
    events.emit("access.changed", { userId });
  }

  bus.subscribe("access.changed", ({ userId }) => invalidateLocal(userId));

  const service = {
    /** The user's current access, or null when the user no longer exists. */
    async get(userId: string): Promise<UserAccess | null> {
      const hit = cache.get(userId);
      const now = Date.now();
      if (hit && !hit.loading && now - hit.at < TTL_MS) {
        if (!hit.refreshing && now >= (hit.refreshAt ?? Infinity)) refreshAhead(userId, hit);
        return hit.access;
      }
      if (hit?.loading) return hit.loading;
      const loading = load(userId);
      cache.set(userId, { access: null, at: 0, loading });
      try {
        const access = await loading;
        if (cache.get(userId)?.loading === loading) cache.set(userId, fresh(access, Date.now()));
        return access;
      } catch (err) {
        if (cache.get(userId)?.loading === loading) cache.delete(userId);
        throw err;
      }
    },

    /** Like `get` but throws UNAUTHORIZED when the user is gone (deleted after the token was issued). */
    async require(userId: string): Promise<UserAccess> {
      const access = await service.get(userId);
      if (!access) throw new AppError("UNAUTHORIZED", "user no longer exists");
      return access;
    },

    /** The caller's effective role in a cohort: admins act as mentors of every cohort. */
    cohortRole(access: UserAccess, cohortId: string): CohortRole | null {
      if (access.role === "admin") return "mentor";
      return access.cohorts.get(cohortId) ?? null;
    },

    /** Throws FORBIDDEN unless the user is a member (or mentor, when `mentorOnly`) of the cohort. */
    assertCohort(access: UserAccess, cohortId: string, mentorOnly = false): CohortRole {
      const role = service.cohortRole(access, cohortId);
      if (!role) throw new AppError("FORBIDDEN", "not a member of this cohort");
      if (mentorOnly && role !== "mentor") throw new AppError("FORBIDDEN", "only a mentor of this cohort may do this");
      return role;
    },

    /** Call after committing any change to a user's role or memberships. */
    async changed(userId: string): Promise<void> {
      // drop the entry here at once (the reply may precede our own bus echo); listeners run once, from the bus
      cache.delete(userId);
      try {
        await bus.publish("access.changed", { userId });
      } catch (err) {
        invalidateLocal(userId);
        logger.warn({ err: (err as Error).message }, "access change not broadcast; other nodes catch up within the cache TTL");
      }
    },
  };
  return service;
}

export type AccessService = ReturnType<typeof createAccessService>;
