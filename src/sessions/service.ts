import type { EntityManager } from "typeorm";
import type { LiveSessionStatus } from "../../entities/index.js";
import type { UserAccess } from "../identity/access.js";
import { requireCohortRole } from "../identity/cohort-guard.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import type { NotificationService, StoredNotification } from "../notifications/index.js";
import type { Session as SessionDto } from "../contract/index.js";
import type { DocumentStore } from "./document-store.js";
import type { LiveDocuments } from "./live-documents.js";
import { iso } from "../db/time.js";
import { returnedRows } from "../db/returning.js";
import { sessionRoom } from "./rooms.js";
import type { SessionCache } from "./session-cache.js";
import { initialUpdate } from "./ydoc.js";

interface SessionRow {
  id: string;
  cohort_id: string;
  host_id: string;
  title: string;
  language: string;
  status: LiveSessionStatus;
  created_at: Date | string;
  started_at: Date | string | null;
  ended_at: Date | string | null;
}

const COLUMNS = "id, cohort_id, host_id, title, language, status, created_at, started_at, ended_at";

export const toSessionDto = (r: SessionRow): SessionDto => ({
  id: r.id,
  cohortId: r.cohort_id,
  hostId: r.host_id,
  title: r.title,
  language: r.language,
  status: r.status,
  createdAt: iso(r.created_at),
  startedAt: r.started_at ? iso(r.started_at) : null,
  endedAt: r.ended_at ? iso(r.ended_at) : null,
});

/** The only transitions: scheduled → live, scheduled|live → ended. The WHERE clause is the state machine. */
const TRANSITIONS = {
  live: `UPDATE live_sessions SET status = 'live', started_at = now() WHERE id = $1 AND status = 'scheduled' RETURNING ${COLUMNS}`,
  ended: `UPDATE live_sessions SET status = 'ended', ended_at = now() WHERE id = $1 AND status IN ('scheduled', 'live') RETURNING ${COLUMNS}`,
} as const;

/** Session lifecycle and the permission rules of the contract; REST and socket handlers only translate. */
export function createSessionService(
  core: Pick<Core, "db" | "access" | "io">,
  deps: { docs: DocumentStore; live: LiveDocuments; cache: SessionCache; notifications: NotificationService },
) {
  const { db, io } = core;
  const { docs, live, cache, notifications } = deps;

  async function row(sessionId: string, manager: EntityManager = db.manager): Promise<SessionRow> {
    const [r] = (await manager.query(`SELECT ${COLUMNS} FROM live_sessions WHERE id = $1`, [sessionId])) as SessionRow[];
    if (!r) throw new AppError("NOT_FOUND", "session not found");
    return r;
  }

  /** The session, if the caller is a member of its cohort (unknown → 404, non-member → 403). */
  async function readable(access: UserAccess, sessionId: string) {
    const r = await row(sessionId);
    const role = await requireCohortRole(core, access, r.cohort_id);
    return { row: r, role };
  }

  async function transition(access: UserAccess, sessionId: string, to: "live" | "ended"): Promise<SessionDto> {
    const { row: current, role } = await readable(access, sessionId);
    if (current.host_id !== access.userId && role !== "mentor") {
      throw new AppError("FORBIDDEN", "only the host or a mentor of the cohort may do this");
    }
    let toDeliver: StoredNotification[] = [];
    const updated = await db.transaction(async (m) => {
      const [r] = returnedRows<SessionRow>(await m.query(TRANSITIONS[to], [sessionId]));
      if (!r) {
        const now = await row(sessionId, m);
        throw new AppError("CONFLICT", `a session that is ${now.status} cannot ${to === "live" ? "start" : "end"}`);
      }
      if (to === "live") {
        toDeliver = await notifications.insertForCohort(m, r.cohort_id, access.userId, "session_started", {
          sessionId: r.id,
          cohortId: r.cohort_id,
          title: r.title,
        });
      }
      return r;
    });
    await cache.changed(sessionId);
    notifications.deliver(toDeliver);
    io.to(sessionRoom(sessionId)).emit("session:status", { sessionId, status: updated.status });
    return toSessionDto(updated);
  }

  return {
    readable,

    async create(
      access: UserAccess,
      cohortId: string,
      input: { title: string; language: string; initialCode?: string },
    ): Promise<SessionDto> {
      await requireCohortRole(core, access, cohortId, { mentor: true });
      const created = await db.transaction(async (m) => {
        const [r] = (await m.query(
          `INSERT INTO live_sessions (cohort_id, host_id, title, language) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
          [cohortId, access.userId, input.title, input.language],
        )) as SessionRow[];
        // the initial code is the first update of the history, authored by the host
        const initial = input.initialCode ? { update: initialUpdate(input.initialCode), userId: access.userId } : null;
        await docs.create(m, r.id, initial);
        return r;
      });
      return toSessionDto(created);
    },

    async get(access: UserAccess, sessionId: string): Promise<SessionDto> {
      return toSessionDto((await readable(access, sessionId)).row);
    },

    async list(access: UserAccess, cohortId: string): Promise<SessionDto[]> {
      await requireCohortRole(core, access, cohortId);
      const rows = (await db.query(`SELECT ${COLUMNS} FROM live_sessions WHERE cohort_id = $1 ORDER BY created_at, id`, [
        cohortId,
      ])) as SessionRow[];
      return rows.map(toSessionDto);
    },

    start: (access: UserAccess, sessionId: string) => transition(access, sessionId, "live"),
    end: (access: UserAccess, sessionId: string) => transition(access, sessionId, "ended"),

    /** The `code` text with every stored update applied (from this node's memory, checked against the store). */
    async document(access: UserAccess, sessionId: string): Promise<{ text: string; updatedAt: string }> {
      const { row: r } = await readable(access, sessionId);
      const current = await live.text(sessionId);
      return { text: current.text, updatedAt: iso(current.updatedAt ?? r.created_at) };
    },
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
