import { EventEmitter } from "node:events";
import type { Engine, RateLimitResult, SharedStateStore } from "./engine.js";

class MemorySharedState implements SharedStateStore {
  private hashes = new Map<string, Map<string, string>>();
  private zsets = new Map<string, Map<string, number>>();
  private sets = new Map<string, Set<string>>();

  private hash(key: string) {
    let h = this.hashes.get(key);
    if (!h) this.hashes.set(key, (h = new Map()));
    return h;
  }
  private zset(key: string) {
    let z = this.zsets.get(key);
    if (!z) this.zsets.set(key, (z = new Map()));
    return z;
  }
  async hset(key: string, field: string, value: string) {
    this.hash(key).set(field, value);
  }
  async hdel(key: string, field: string) {
    return this.hash(key).delete(field);
  }
  async hgetall(key: string) {
    return Object.fromEntries(this.hashes.get(key) ?? []);
  }
  async zadd(key: string, member: string, score: number) {
    const z = this.zset(key);
    const isNew = !z.has(member);
    z.set(member, score);
    return isNew;
  }
  async zrefresh(key: string, members: string[], score: number) {
    const z = this.zsets.get(key);
    if (!z) return;
    for (const m of members) if (z.has(m)) z.set(m, score);
  }
  async zrem(key: string, member: string) {
    return this.zset(key).delete(member);
  }
  async zrangeByScore(key: string, maxScore: number) {
    return [...(this.zsets.get(key) ?? [])].filter(([, s]) => s <= maxScore).map(([m]) => m);
  }
  async zmembers(key: string) {
    return [...(this.zsets.get(key)?.keys() ?? [])];
  }
  async zaddCounted(key: string, member: string, score: number, countKey: string, field: string) {
    return (await this.zadd(key, member, score)) ? this.hincr(countKey, field, 1) : null;
  }
  async hincr(key: string, field: string, by: number) {
    const h = this.hash(key);
    const next = Number(h.get(field) ?? 0) + by;
    if (next <= 0) h.delete(field);
    else h.set(field, String(next));
    return next;
  }
  async sadd(key: string, member: string) {
    let s = this.sets.get(key);
    if (!s) this.sets.set(key, (s = new Set()));
    s.add(member);
  }
  async srem(key: string, member: string) {
    this.sets.get(key)?.delete(member);
  }
  async smembers(key: string) {
    return [...(this.sets.get(key) ?? [])];
  }
  async del(key: string) {
    this.hashes.delete(key);
    this.zsets.delete(key);
    this.sets.delete(key);
  }
}

/** Single-node engine: Socket.IO's default in-memory adapter and process-local state. */
export function createMemoryEngine(): Engine {
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const windows = new Map<string, { count: number; resetAt: number }>();
  let sweep: NodeJS.Timeout | undefined;

  return {
    health: async () => "none",
    start() {
      // Socket.IO's default adapter is already in-memory; expired windows are swept
      sweep ??= setInterval(() => {
        const now = Date.now();
        for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
      }, 60_000);
      sweep.unref();
    },
    async countInWindow(key, limit, windowMs): Promise<RateLimitResult> {
      const now = Date.now();
      let w = windows.get(key);
      if (!w || w.resetAt <= now) windows.set(key, (w = { count: 0, resetAt: now + windowMs }));
      w.count += 1;
      return { allowed: w.count <= limit, retryAfterSec: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
    },
    async peekWindow(key) {
      const w = windows.get(key);
      const now = Date.now();
      if (!w || w.resetAt <= now) return { count: 0, retryAfterSec: 0 };
      return { count: w.count, retryAfterSec: Math.max(1, Math.ceil((w.resetAt - now) / 1000)) };
    },
    async publish(channel, message) {
      bus.emit(channel, message);
    },
    subscribe(channel, handler) {
      bus.on(channel, handler);
    },
    sharedState: new MemorySharedState(),
    async close() {
      clearInterval(sweep);
      bus.removeAllListeners();
    },
  };
}
