import { createAdapter } from "@socket.io/redis-adapter";
import { Redis, type RedisOptions } from "ioredis";
import type { Server } from "socket.io";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import type { BusHandler, Engine, RateLimitResult, SharedStateStore } from "./engine.js";

const COMMAND_TIMEOUT_MS = 1000;

function baseOptions(): RedisOptions {
  return {
    // a Redis outage must fail commands at once, not queue them until it returns
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 + times * 200, 2000),
    // connected by start(), not when the engine is built
    lazyConnect: true,
    // commands issued in one turn of the event loop (the relays' PUBLISHes, presence's commands) go out in one
    // write: no CPU difference at the bench's steady rates, lower latencies under big-docs (README, Performance)
    enableAutoPipelining: true,
  };
}

/** Cluster engine: `@socket.io/redis-adapter` for fan-out, Redis for shared counters, presence and the bus. */
export function createRedisEngine(opts: { url: string; prefix: string; logger: Logger; metrics: Metrics }): Engine {
  const { url, prefix, logger, metrics } = opts;
  const clients: Redis[] = [];
  const connect = (role: string, extra: RedisOptions = {}) => {
    const client = new Redis(url, { ...baseOptions(), ...extra, connectionName: `cohort-live-${role}` });
    let healthy = true;
    client.on("error", (err: Error) => {
      metrics.redisErrors.inc();
      if (healthy) logger.warn({ role, err: err.message }, "redis connection error");
      healthy = false;
    });
    client.on("ready", () => {
      if (!healthy) logger.info({ role }, "redis connection restored");
      healthy = true;
    });
    clients.push(client);
    return client;
  };

  const cmd = connect("cmd");
  // Subscribers keep their offline queue so (re)subscriptions issued while disconnected are sent on reconnect;
  // ioredis re-subscribes every channel after a reconnect by itself. `maxRetriesPerRequest: null` keeps a
  // queued SUBSCRIBE until the connection is up: with 0, ioredis flushed the queue at the first failed retry
  // and a node started during an outage never subscribed (no cross-node delivery after Redis returned).
  const subscriber: RedisOptions = {
    enableOfflineQueue: true,
    commandTimeout: undefined,
    maxRetriesPerRequest: null,
    enableAutoPipelining: false,
  };
  const busSub = connect("bus-sub", subscriber);
  const adapterPub = connect("adapter-pub");
  const adapterSub = connect("adapter-sub", subscriber);

  // The adapter fires publishes without awaiting them; a failed one must be counted, not crash the process.
  const publish = adapterPub.publish.bind(adapterPub);
  adapterPub.publish = ((...args: Parameters<typeof publish>) =>
    publish(...args).catch((err: Error) => {
      metrics.redisErrors.inc();
      logger.debug({ err: err.message }, "redis adapter publish failed");
      return 0;
    })) as typeof adapterPub.publish;

  const handlers = new Map<string, Set<BusHandler>>();
  let started = false;
  busSub.on("message", (channel: string, raw: string) => {
    const set = handlers.get(channel);
    if (!set) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    for (const h of set) h(message);
  });

  const subscribeBus = (channel: string): void => {
    busSub.subscribe(channel).catch((err: Error) => logger.warn({ err: err.message, channel }, "redis subscribe failed"));
  };

  const k = (key: string) => prefix + key;
  const counted = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      metrics.redisErrors.inc();
      throw err;
    }
  };

  const store: SharedStateStore = {
    async hset(key, field, value, ttlMs) {
      await counted(cmd.multi().hset(k(key), field, value).pexpire(k(key), ttlMs).exec());
    },
    async hdel(key, field) {
      return (await counted(cmd.hdel(k(key), field))) > 0;
    },
    async hgetall(key) {
      return counted(cmd.hgetall(k(key)));
    },
    async zadd(key, member, score) {
      return (await counted(cmd.zadd(k(key), score, member))) > 0;
    },
    async zrefresh(key, members, score) {
      if (members.length === 0) return;
      await counted(cmd.zadd(k(key), "XX", ...members.flatMap((m) => [score, m])));
    },
    async zrem(key, member) {
      return (await counted(cmd.zrem(k(key), member))) > 0;
    },
    async zrangeByScore(key, maxScore) {
      return counted(cmd.zrangebyscore(k(key), "-inf", maxScore));
    },
    async zmembers(key) {
      return counted(cmd.zrange(k(key), "0", "-1"));
    },
    async zaddCounted(key, member, score, countKey, field) {
      // one round trip, and no moment where the member is in the set but not yet counted
      const result = await counted(
        cmd.eval(
          "if redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2]) == 1 then return redis.call('HINCRBY', KEYS[2], ARGV[3], 1) end return false",
          2,
          k(key),
          k(countKey),
          String(score),
          member,
          field,
        ),
      );
      return result === null ? null : Number(result);
    },
    async hincr(key, field, by) {
      // increment and drop the field at zero in one step, so two nodes never both see "last"
      const result = await counted(
        cmd.eval(
          "local v = redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2]) if v <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end return v",
          1,
          k(key),
          field,
          String(by),
        ),
      );
      return Number(result);
    },
    async sadd(key, member) {
      await counted(cmd.sadd(k(key), member));
    },
    async srem(key, member) {
      await counted(cmd.srem(k(key), member));
    },
    async smembers(key) {
      return counted(cmd.smembers(k(key)));
    },
    async del(key) {
      await counted(cmd.del(k(key)));
    },
  };

  return {
    async health() {
      try {
        await cmd.ping();
        return "ok";
      } catch {
        return "down";
      }
    },
    start(io: Server) {
      started = true;
      // failures are reported by each client's "error" listener, and ioredis keeps retrying
      for (const client of clients) client.connect().catch(() => undefined);
      io.adapter(createAdapter(adapterPub, adapterSub, { key: k("socket.io"), requestsTimeout: 3000 }));
      for (const channel of handlers.keys()) subscribeBus(channel);
    },
    async countInWindow(key, limit, windowMs): Promise<RateLimitResult> {
      try {
        const [[, count], [, ttl]] = (await cmd
          .multi()
          .incr(k(`rl:${key}`))
          .pttl(k(`rl:${key}`))
          .exec()) as [[Error | null, number], [Error | null, number]];
        let remaining = ttl;
        if (ttl < 0) {
          await cmd.pexpire(k(`rl:${key}`), windowMs);
          remaining = windowMs;
        }
        return { allowed: count <= limit, retryAfterSec: Math.max(1, Math.ceil(remaining / 1000)) };
      } catch (err) {
        // fail open: an outage of the shared counter must not lock every user out
        metrics.redisErrors.inc();
        logger.debug({ err: (err as Error).message }, "rate limit check skipped: redis unavailable");
        return { allowed: true, retryAfterSec: 0 };
      }
    },
    async peekWindow(key) {
      try {
        const [[, count], [, ttl]] = (await cmd
          .multi()
          .get(k(`rl:${key}`))
          .pttl(k(`rl:${key}`))
          .exec()) as [[Error | null, string | null], [Error | null, number]];
        return { count: Number(count ?? 0), retryAfterSec: Math.max(1, Math.ceil(Math.max(0, ttl) / 1000)) };
      } catch {
        metrics.redisErrors.inc();
        return { count: 0, retryAfterSec: 0 };
      }
    },
    async publish(channel, message) {
      await counted(cmd.publish(k(`bus:${channel}`), JSON.stringify(message)));
    },
    subscribe(channel, handler) {
      const full = k(`bus:${channel}`);
      let set = handlers.get(full);
      if (!set) {
        handlers.set(full, (set = new Set()));
        if (started) subscribeBus(full);
      }
      set.add(handler);
    },
    sharedState: store,
    async close() {
      // QUIT only over a working connection, and not for long: a subscriber keeps its offline queue, so during an
      // outage its QUIT would wait for Redis to return and hold the shutdown (a client never started would connect)
      await Promise.all(
        clients.map(async (c) => {
          if (c.status === "ready") {
            const patience = new Promise((resolve) => setTimeout(resolve, COMMAND_TIMEOUT_MS).unref());
            await Promise.race([c.quit(), patience]).catch(() => undefined);
          }
          c.disconnect();
        }),
      );
    },
  };
}
