import { In, type EntityManager, type QueryDeepPartialEntity } from "typeorm";
import { type CohortRole, LiveSession, type LiveSessionStatus } from "../../entities/index.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import type { NotificationService, StoredNotification } from "../notifications/index.js";
import type { Session } from "../contract/index.js";
import type { DocumentStore } from "./document-store.js";
import type { LiveDocuments } from "./live-documents.js";
import { iso, isoOrNull } from "../db/time.js";
import type { SessionCache } from "./session-cache.js";
import { initialUpdate } from "./ydoc.js";

export const toSession = (s: LiveSession): Session => ({
  id: s.id,
  cohortId: s.cohortId,
  hostId: s.hostId,
  title: s.title,
  language: s.language,
  status: s.status,
  createdAt: iso(s.createdAt),
  startedAt: isoOrNull(s.startedAt),
  endedAt: isoOrNull(s.endedAt),
});

const now = () => "now()";

/**
 * The only transitions: scheduled → live, scheduled|live → ended. The status condition is part of the UPDATE
 * itself (`WHERE id = … AND status IN (…)`), so of two concurrent requests exactly one changes the row.
 */
const TRANSITIONS = {
  live: { from: ["scheduled"], set: { status: "live" as const, startedAt: now } },
  ended: { from: ["scheduled", "live"], set: { status: "ended" as const, endedAt: now } },
} satisfies Record<"live" | "ended", { from: LiveSessionStatus[]; set: QueryDeepPartialEntity<LiveSession> }>;

/** Session lifecycle and the permission rules of the contract; REST and socket handlers only translate. */
export function createSessionService(
  core: Pick<Core, "db" | "access" | "events">,
  deps: { docs: DocumentStore; live: LiveDocuments; cache: SessionCache; notifications: NotificationService },
) {
  const { db, events } = core;
  const { docs, live, cache, notifications } = deps;

  async function find(sessionId: string, manager: EntityManager = db.manager): Promise<LiveSession> {
    const session = await manager.findOneBy(LiveSession, { id: sessionId });
    if (!session) throw new AppError("NOT_FOUND", "session not found");
    return session;
  }

  /** The session, if the caller is a member of its cohort (unknown → 404, non-member → 403). */
  async function readable(access: UserAccess, sessionId: string) {
    const session = await find(sessionId);
    const role = await requireCohortRole(core, access, session.cohortId);
    return { session, role };
  }

  async function transition(access: UserAccess, sessionId: string, to: "live" | "ended"): Promise<Session> {
    const { session: current, role } = await readable(access, sessionId);
    if (current.hostId !== access.userId && role !== "mentor") {
      throw new AppError("FORBIDDEN", "only the host or a mentor of the cohort may do this");
    }
    const { from, set } = TRANSITIONS[to];
    let stored: StoredNotification[] = [];
    const updated = await db.transaction(async (m) => {
      const { affected } = await m.update(LiveSession, { id: sessionId, status: In(from) }, set);
      const session = await find(sessionId, m);
      if (!affected) {
        throw new AppError("CONFLICT", `a session that is ${session.status} cannot ${to === "live" ? "start" : "end"}`);
      }
      if (to === "live") {
        stored = await notifications.insertForCohort(m, session.cohortId, access.userId, "session_started", {
          sessionId: session.id,
          cohortId: session.cohortId,
          title: session.title,
        });
      }
      return toSession(session);
    });
    await cache.changed(sessionId);
    if (stored.length > 0) events.emit("notifications.created", { items: stored });
    events.emit("session.status.changed", { session: updated });
    return updated;
  }

  return {
    readable,

    /**
     * The caller's role in the session's cohort, decided from the session cache (a session's cohort never
     * changes, so no query): unknown session → 404, non-member → 403.
     */
    async membership(access: UserAccess, sessionId: string): Promise<{ cohortId: string; role: CohortRole }> {
      const info = await cache.get(sessionId);
      if (!info) throw new AppError("NOT_FOUND", "session not found");
      return { cohortId: info.cohortId, role: await requireCohortRole(core, access, info.cohortId) };
    },

    async create(
      access: UserAccess,
      cohortId: string,
      input: { title: string; language: string; initialCode?: string },
    ): Promise<Session> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      const created = await db.transaction(async (m) => {
        const { id } = await m.save(
          m.create(LiveSession, { cohortId, hostId: access.userId, title: input.title, language: input.language }),
        );
        // the initial code is the first update of the history, authored by the host
        const initial = input.initialCode ? { update: initialUpdate(input.initialCode), userId: access.userId } : null;
        await docs.create(m, id, initial);
        // read back as stored (a lone surrogate in the title became U+FFFD)
        return find(id, m);
      });
      return toSession(created);
    },

    async get(access: UserAccess, sessionId: string): Promise<Session> {
      return toSession((await readable(access, sessionId)).session);
    },

    async list(access: UserAccess, cohortId: string): Promise<Session[]> {
      await requireCohortRole(core, access, cohortId);
      const sessions = await db.manager.find(LiveSession, { where: { cohortId }, order: { createdAt: "ASC", id: "ASC" } });
      return sessions.map(toSession);
    },

    start: (access: UserAccess, sessionId: string) => transition(access, sessionId, "live"),
    end: (access: UserAccess, sessionId: string) => transition(access, sessionId, "ended"),

    /** The `code` text with every stored update applied (from this node's memory, checked against the store). */
    async document(access: UserAccess, sessionId: string): Promise<{ text: string; updatedAt: string }> {
      const { session } = await readable(access, sessionId);
      const current = await live.text(sessionId);
      return { text: current.text, updatedAt: iso(current.updatedAt ?? session.createdAt) };
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
