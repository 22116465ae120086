import type { Request, Response } from "express";
import { uuid, type Notification } from "../contract/index.js";
import type { Core } from "../core.js";
import { parse } from "../http/validate.js";
import type { NotificationInbox } from "./service.js";

/** "A comment line at least every 25 s": every 15 s, so proxies and timers never stretch it past that. */
const HEARTBEAT_MS = 15_000;
const PAGE = 100;

interface Stream {
  wake(): void;
  end(): void;
}

/**
 * `GET /api/notifications/stream`: server-sent events. The stream is driven by a cursor, not by the live events
 * themselves: a wake-up (a commit for this user anywhere in the cluster, through the bus, or the heartbeat) reads
 * what came after the last id sent, oldest first. Since (createdAt, id) order is commit order, nothing is skipped
 * and nothing is sent twice, whatever order the wake-ups arrive in.
 */
export function notificationStreams(
  core: Pick<Core, "bus" | "tokens" | "access" | "logger" | "isDraining">,
  inbox: NotificationInbox,
) {
  const streams = new Map<string, Set<Stream>>();
  core.bus.subscribe("notifications.created", ({ userIds }) => {
    for (const userId of userIds) for (const s of streams.get(userId) ?? []) s.wake();
  });
  // a draining node ends its streams at once (clients reconnect, with Last-Event-ID, to another node) instead of
  // holding the shutdown until its in-flight wait runs out
  let drainCheck: NodeJS.Timeout | undefined;

  /** Where a new stream starts: after Last-Event-ID / ?after=, else after the newest notification there is. */
  async function startCursor(userId: string, resumeFrom: string | undefined) {
    if (resumeFrom) {
      await inbox.list(userId, { after: resumeFrom, limit: 1 }); // an unknown id: NOT_FOUND, before the stream starts
      return resumeFrom;
    }
    const newest = await inbox.list(userId, { limit: 1, order: "desc" });
    return newest.items[0]?.id;
  }

  return {
    async serve(req: Request, res: Response, query: { access_token?: string; after?: string }): Promise<void> {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1];
      const claims = core.tokens.verify(bearer ?? query.access_token);
      await core.access.require(claims.sub);
      const userId = claims.sub;
      const lastEventId = req.get("last-event-id");
      const resumeFrom = lastEventId ? parse(uuid, lastEventId.trim(), "Last-Event-ID") : query.after;
      let cursor = await startCursor(userId, resumeFrom);

      res.status(200);
      res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
      res.setHeader("Cache-Control", "no-store");
      res.setHeader("X-Accel-Buffering", "no"); // nginx: pass events on at once
      res.flushHeaders();
      res.write("retry: 3000\n\n");

      let closed = false;
      let pumping = false;
      let again = false;
      const write = async (chunk: string) => {
        if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
      };
      const send = (n: Notification) => write(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`);
      const pump = async () => {
        if (pumping) return void (again = true);
        pumping = true;
        try {
          do {
            again = false;
            for (;;) {
              const page = await inbox.list(userId, { after: cursor, limit: PAGE });
              for (const n of page.items) {
                if (closed) return;
                await send(n);
                cursor = n.id;
              }
              if (!page.nextCursor) break;
            }
          } while (again && !closed);
        } catch (err) {
          core.logger.warn({ err: (err as Error).message, userId }, "notification stream read failed; the next wake-up retries");
        } finally {
          pumping = false;
        }
      };
      const stream: Stream = { wake: () => void pump(), end: () => res.end() };

      const heartbeat = setInterval(() => {
        void write(": keep-alive\n\n");
        stream.wake(); // also catches up what a lost bus message (Redis down) did not announce
      }, HEARTBEAT_MS);
      const expiry = setTimeout(
        () => {
          void write(`event: auth-expired\ndata: ${JSON.stringify({ exp: claims.exp })}\n\n`).then(() => res.end());
        },
        Math.min(2 ** 31 - 1, Math.max(0, claims.exp * 1000 - Date.now())),
      );
      const set = streams.get(userId) ?? new Set<Stream>();
      streams.set(userId, set.add(stream));
      await new Promise<void>((resolve) => {
        res.once("close", () => {
          closed = true;
          clearInterval(heartbeat);
          clearTimeout(expiry);
          set.delete(stream);
          if (set.size === 0) streams.delete(userId);
          resolve();
        });
        stream.wake();
      });
    },
    start() {
      drainCheck ??= setInterval(() => {
        if (!core.isDraining()) return;
        for (const set of streams.values()) for (const s of set) s.end();
      }, 500);
      drainCheck.unref();
    },
    stop() {
      clearInterval(drainCheck);
    },
    /** Called after notifications of these users committed (on the writing node): wakes streams on every node. */
    async announce(userIds: string[]): Promise<void> {
      if (userIds.length > 0) await core.bus.publish("notifications.created", { userIds });
    },
  };
}

export type NotificationStreams = ReturnType<typeof notificationStreams>;
