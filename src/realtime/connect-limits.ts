import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";
import { trustFunction, type TrustProxy } from "../config/trust-proxy.js";
import type { Engine } from "../engine/engine.js";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";

const MINUTE_MS = 60_000;
/** A socket's entry lives this long unless its node refreshes it: a dead node's sockets stop counting by then. */
export const SOCKET_ENTRY_TTL_MS = 90_000;
const REFRESH_EVERY_MS = 30_000;

/** The client address of a handshake request, by the same TRUST_PROXY rule Express applies to REST. */
export function handshakeIp(req: IncomingMessage, trust: TrustProxy): string {
  try {
    return proxyAddr(req, trustFunction(trust));
  } catch {
    return req.socket.remoteAddress ?? "unknown";
  }
}

/** CONNECT_RATE_LIMIT: connection attempts per minute per IP, counted through the engine (shared by all nodes). */
export async function checkConnectRate(engine: Engine, ip: string, limit: number): Promise<void> {
  if (limit <= 0) return;
  const { allowed } = await engine.countInWindow(`connect:${ip}`, limit, MINUTE_MS);
  if (!allowed) throw new AppError("RATE_LIMITED", "too many connection attempts, try again later");
}

/**
 * MAX_SOCKETS_PER_USER across the cluster: each connected socket is an entry `socketId → expiry` in the user's
 * sorted set in the engine's shared store, refreshed by its node while it lives and removed on disconnect.
 * An entry whose node died expires after SOCKET_ENTRY_TTL_MS and is pruned at the user's next connection.
 */
export function createSocketCounter(deps: { engine: Engine; logger: Logger; limit: number }) {
  const { engine, logger, limit } = deps;
  const key = (userId: string) => `sockets:${userId}`;
  const local = new Map<string, Set<string>>();

  let timer: NodeJS.Timeout | undefined;

  return {
    /**
     * Counts the socket in; throws RATE_LIMITED (having counted it out again) when the user is over the cap.
     * Adding first and counting after means two racing connections can both be refused, never both admitted.
     */
    async admit(userId: string, socketId: string): Promise<void> {
      if (limit <= 0) return;
      const k = key(userId);
      try {
        await engine.sharedState.zadd(k, socketId, Date.now() + SOCKET_ENTRY_TTL_MS);
        for (const stale of await engine.sharedState.zrangeByScore(k, Date.now())) await engine.sharedState.zrem(k, stale);
        const count = (await engine.sharedState.zmembers(k)).length;
        if (count > limit) {
          await engine.sharedState.zrem(k, socketId);
          throw new AppError("RATE_LIMITED", `at most ${limit} connected sockets per user`);
        }
      } catch (err) {
        if (err instanceof AppError) throw err;
        // fail open like every shared limit: an outage of the store must not lock users out
        logger.warn({ err: (err as Error).message }, "socket cap not checked: shared store unavailable");
        return;
      }
      let ids = local.get(userId);
      if (!ids) local.set(userId, (ids = new Set()));
      ids.add(socketId);
    },
    release(userId: string, socketId: string): void {
      if (limit <= 0) return;
      const ids = local.get(userId);
      ids?.delete(socketId);
      if (ids && ids.size === 0) local.delete(userId);
      engine.sharedState.zrem(key(userId), socketId).catch(() => undefined);
    },
    /** Starts refreshing this node's entries. */
    start() {
      timer ??= setInterval(() => {
        const expiry = Date.now() + SOCKET_ENTRY_TTL_MS;
        for (const [userId, ids] of local) {
          engine.sharedState.zrefresh(key(userId), [...ids], expiry).catch(() => undefined);
        }
      }, REFRESH_EVERY_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

export type SocketCounter = ReturnType<typeof createSocketCounter>;
