import { randomUUID } from "node:crypto";
import type { Engine } from "../engine/engine.js";
import type { Logger } from "../logger.js";
import type { AppServer } from "../realtime/types.js";

/** How long a node's count of a user's sockets counts without being refreshed (a dead node's expires). */
const ENTRY_TTL_MS = 45_000;
const REFRESH_MS = 15_000;
const key = (userId: string) => `push:online:${userId}`;

export interface OnlineUsers {
  /** Whether any node reports a connected socket of the user (false when the shared store cannot tell). */
  isOnline(userId: string): Promise<boolean>;
  start(): void;
  stop(): void;
}

/**
 * Cluster-wide "has the user a connected socket?": each node writes, per user, its own count of that user's
 * sockets as one field of a shared hash (`count:expiresAt`), refreshes its fields every 15 s, and readers ignore
 * fields past their expiry — so the counts of a node killed without a goodbye stop counting within 45 s.
 */
export function trackOnlineUsers(deps: { io: AppServer; engine: Engine; logger: Logger }): OnlineUsers {
  const { io, engine, logger } = deps;
  const nodeId = randomUUID();
  const local = new Map<string, number>();

  const write = async (userId: string) => {
    const count = local.get(userId) ?? 0;
    try {
      if (count > 0)
        await engine.sharedState.hset(key(userId), nodeId, `${count}:${Date.now() + ENTRY_TTL_MS}`, ENTRY_TTL_MS * 2);
      else await engine.sharedState.hdel(key(userId), nodeId);
    } catch (err) {
      logger.debug({ err: (err as Error).message }, "online count not shared; the next refresh retries");
    }
  };

  io.on("connection", (socket) => {
    const userId = socket.data.userId;
    local.set(userId, (local.get(userId) ?? 0) + 1);
    void write(userId);
    socket.on("disconnect", () => {
      const left = (local.get(userId) ?? 1) - 1;
      if (left > 0) local.set(userId, left);
      else local.delete(userId);
      void write(userId);
    });
  });

  let refresh: NodeJS.Timeout | undefined;

  return {
    start() {
      refresh ??= setInterval(() => {
        for (const userId of local.keys()) void write(userId);
      }, REFRESH_MS);
      refresh.unref();
    },
    async isOnline(userId) {
      let fields: Record<string, string>;
      try {
        fields = await engine.sharedState.hgetall(key(userId));
      } catch {
        return false; // unknown: push anyway (a duplicate beats a loss; the notification id lets a device drop it)
      }
      const now = Date.now();
      return Object.values(fields).some((v) => {
        const [count, expiresAt] = v.split(":").map(Number);
        return (count ?? 0) > 0 && (expiresAt ?? 0) > now;
      });
    },
    stop() {
      clearInterval(refresh);
    },
  };
}
