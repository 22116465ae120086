import type { Core } from "../core.js";
import type { PresenceUser } from "../contract/index.js";
import { type AppSocket, userRoom } from "../realtime/types.js";
import { sessionRoom } from "./rooms.js";

/** The owning node refreshes its sockets' entries this often… */
export const HEARTBEAT_MS = 5_000;
/** …and an entry not refreshed for this long belongs to a dead node: any node sweeps it (within 15 + 5 s). */
export const EXPIRY_MS = 15_000;
/** A session nobody heartbeats for this long leaves the index of sessions to sweep. */
const INDEX_TTL_MS = 60_000;

function parseSocketId(member: string): string | null {
  try {
    const [socketId] = JSON.parse(member) as Member;
    return typeof socketId === "string" ? socketId : null;
  } catch {
    return null;
  }
}

const keys = {
  /** zset: one member per socket in the session, scored by its expiry time. */
  sockets: (sessionId: string) => `presence:${sessionId}:sockets`,
  /** hash: userId → number of that user's sockets in the session (atomic, so exactly one node sees 1 or 0). */
  users: (sessionId: string) => `presence:${sessionId}:users`,
  /** zset: sessions with presence, scored by expiry; every node sweeps them. */
  index: "presence:sessions",
};

interface LocalEntry {
  socket: AppSocket;
  member: string;
  user: PresenceUser;
  /** The last attempt to register the entry in the shared store (retried by the heartbeat until it works). */
  registration: Promise<void>;
  state: "registering" | "registered" | "failed";
}

type Member = [socketId: string, userId: string, displayName: string, role: PresenceUser["role"]];

function parseMember(member: string): PresenceUser | null {
  try {
    const [, userId, displayName, role] = JSON.parse(member) as Member;
    return typeof userId === "string" ? { userId, displayName, role } : null;
  } catch {
    return null;
  }
}

/**
 * Cluster-wide, per-user presence in sessions. Each socket is one zset member whose score (its expiry) its
 * node refreshes every 5 s; a per-user counter makes `presence:joined` fire on the user's first socket and
 * `presence:left` after the last one, exactly once whatever node does it, since only one caller wins a zrem.
 */
export function createPresence(
  core: Pick<Core, "engine" | "io" | "logger">,
  hooks: { onSocketSwept: (sessionId: string, socketId: string) => Promise<void> },
) {
  const { engine, io, logger } = core;
  const store = engine.sharedState;
  const local = new Map<string, Map<string, LocalEntry>>();
  const socketSessions = new WeakMap<AppSocket, Set<string>>();
  const pending = new Set<Promise<unknown>>();

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };
  const warn = (what: string) => (err: Error) => logger.warn({ err: err.message }, `presence: ${what} failed`);

  async function register(sessionId: string, entry: LocalEntry) {
    const now = Date.now();
    const [, count] = await Promise.all([
      store.zadd(keys.index, sessionId, now + INDEX_TTL_MS),
      // the user's socket count goes up only when this socket is new to the session (a repeated join adds nothing)
      store.zaddCounted(keys.sockets(sessionId), entry.member, now + EXPIRY_MS, keys.users(sessionId), entry.user.userId),
    ]);
    if (count === 1) {
      io.to(sessionRoom(sessionId)).except(userRoom(entry.user.userId)).emit("presence:joined", { sessionId, user: entry.user });
    }
    entry.state = "registered";
  }

  function startRegistration(sessionId: string, entry: LocalEntry) {
    entry.state = "registering";
    entry.registration = track(
      register(sessionId, entry).catch((err: Error) => {
        entry.state = "failed";
        warn("register")(err);
      }),
    );
  }

  /**
   * Removes one socket's member; the one caller whose zrem wins decrements, announces the user's departure,
   * and returns true.
   */
  async function removeMember(sessionId: string, member: string, userId: string): Promise<boolean> {
    if (!(await store.zrem(keys.sockets(sessionId), member))) return false;
    const count = await store.hincr(keys.users(sessionId), userId, -1);
    if (count <= 0) io.to(sessionRoom(sessionId)).except(userRoom(userId)).emit("presence:left", { sessionId, userId });
    return true;
  }

  function forget(socket: AppSocket, sessionId: string): LocalEntry | undefined {
    const sockets = local.get(sessionId);
    const entry = sockets?.get(socket.id);
    if (!entry) return undefined;
    sockets!.delete(socket.id);
    if (sockets!.size === 0) local.delete(sessionId);
    socketSessions.get(socket)?.delete(sessionId);
    return entry;
  }

  const presence = {
    isJoined: (socket: AppSocket, sessionId: string) => local.get(sessionId)?.has(socket.id) ?? false,

    /** Adds the socket (idempotent). Resolves once the shared store has it, or the store failed (retried later). */
    async join(socket: AppSocket, sessionId: string, user: PresenceUser): Promise<void> {
      // a socket gone before this point would never fire the "disconnect" that removes its entry
      if (socket.disconnected || presence.isJoined(socket, sessionId)) return;
      let sessions = socketSessions.get(socket);
      if (!sessions) {
        socketSessions.set(socket, (sessions = new Set()));
        socket.once("disconnect", () => {
          for (const sid of [...(socketSessions.get(socket) ?? [])]) void presence.leave(socket, sid);
        });
      }
      sessions.add(sessionId);
      const member = JSON.stringify([socket.id, user.userId, user.displayName, user.role] satisfies Member);
      const entry: LocalEntry = { socket, member, user, registration: Promise.resolve(), state: "registering" };
      let sockets = local.get(sessionId);
      if (!sockets) local.set(sessionId, (sockets = new Map()));
      sockets.set(socket.id, entry);
      startRegistration(sessionId, entry);
      await entry.registration;
    },

    /** Removes the socket; the user's last socket leaving tells the others. */
    leave(socket: AppSocket, sessionId: string): Promise<void> {
      const entry = forget(socket, sessionId);
      if (!entry) return Promise.resolve();
      return track(
        (async () => {
          await entry.registration;
          await removeMember(sessionId, entry.member, entry.user.userId);
        })().catch(warn("leave")),
      );
    },

    /** Sessions the socket is in (on this node). */
    sessionsOf: (socket: AppSocket): string[] => [...(socketSessions.get(socket) ?? [])],

    /** Everyone in the session on any node, one entry per user. */
    async list(sessionId: string): Promise<PresenceUser[]> {
      const [all, expired] = await Promise.all([
        store.zmembers(keys.sockets(sessionId)),
        store.zrangeByScore(keys.sockets(sessionId), Date.now()),
      ]);
      const gone = new Set(expired);
      const users = new Map<string, PresenceUser>();
      for (const m of all) {
        const user = gone.has(m) ? null : parseMember(m);
        if (user && !users.has(user.userId)) users.set(user.userId, user);
      }
      return [...users.values()];
    },

    /** Local users of a session with their sockets (for the awareness refresh). */
    localSessions: () => local.keys(),

    /**
     * Refreshes this node's entries. An entry missing from the store (Redis restarted, or a stalled node's
     * entry swept as expired) is registered again, so its user reappears (with `presence:joined`).
     */
    async heartbeat() {
      const now = Date.now();
      for (const [sessionId, sockets] of local) {
        await store.zadd(keys.index, sessionId, now + INDEX_TTL_MS);
        const stored = new Set(await store.zmembers(keys.sockets(sessionId)));
        const entries = [...sockets.values()];
        // ZADD XX: a socket that left meanwhile is never re-added
        await store.zrefresh(
          keys.sockets(sessionId),
          entries.filter((e) => e.state === "registered" && stored.has(e.member)).map((e) => e.member),
          now + EXPIRY_MS,
        );
        for (const e of entries) {
          if (sockets.get(e.socket.id) !== e) continue; // left meanwhile: its leave owns the removal
          if (e.state === "failed" || (e.state === "registered" && !stored.has(e.member))) startRegistration(sessionId, e);
        }
      }
    },

    /** Removes every expired member of every session (a dead node's sockets); run by every node. */
    async sweep() {
      const now = Date.now();
      for (const sessionId of await store.zmembers(keys.index)) {
        for (const member of await store.zrangeByScore(keys.sockets(sessionId), now)) {
          const user = parseMember(member);
          const socketId = parseSocketId(member);
          if (!user) await store.zrem(keys.sockets(sessionId), member);
          else if ((await removeMember(sessionId, member, user.userId)) && socketId)
            await hooks.onSocketSwept(sessionId, socketId);
        }
      }
      for (const sessionId of await store.zrangeByScore(keys.index, now)) await store.zrem(keys.index, sessionId);
    },

    /** Waits for in-flight joins and leaves (shutdown). */
    async settle() {
      await Promise.allSettled([...pending]);
    },
  };
  return presence;
}

export type Presence = ReturnType<typeof createPresence>;
