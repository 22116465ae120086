import type { Server } from "socket.io";

/** Result of counting one hit against a shared fixed-window limit. */
export interface RateLimitResult {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSec: number;
}

export type BusHandler = (message: unknown) => void;

/**
 * Everything that differs between one node (in memory) and a cluster (Redis). Nothing outside
 * `src/engine/` knows which implementation is in use.
 */
export interface Engine {
  /** "none" when there is no external dependency to be down. */
  health(): Promise<"ok" | "down" | "none">;
  /**
   * Installs the Socket.IO adapter that fans room broadcasts out to every node, connects to the shared store (a
   * cluster's Redis, without waiting for it: a node may start during an outage) and starts its timers. Nothing is
   * sent or scheduled before: the server calls it from its own `start()`.
   */
  start(io: Server): void;
  /** Counts one hit for `key` in a window shared by every node. Fails open when the store is unreachable. */
  countInWindow(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  /** The current count of a `countInWindow` window without counting (0 when none, or when the store is unreachable). */
  peekWindow(key: string): Promise<{ count: number; retryAfterSec: number }>;
  /** Delivers `message` to every node's subscribers of `channel`, this node included; resolves once published. */
  publish(channel: string, message: unknown): Promise<void>;
  subscribe(channel: string, handler: BusHandler): void;
  /** Short-lived values shared by the nodes (presence, awareness, socket counts), each with a TTL. */
  readonly sharedState: SharedStateStore;
  close(): Promise<void>;
}

/**
 * A tiny cluster-wide key/value surface, enough for presence and awareness. Keys are namespaced by the
 * engine (Redis key prefix). Every call rejects quickly when the store is unreachable.
 */
export interface SharedStateStore {
  /** Sets field→value in hash `key` with a TTL on the whole hash. */
  hset(key: string, field: string, value: string, ttlMs: number): Promise<void>;
  hdel(key: string, field: string): Promise<boolean>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** Adds member with a score (an expiry time in ms); returns whether it was new. */
  zadd(key: string, member: string, score: number): Promise<boolean>;
  /** Sets a new score on those of `members` that are still in the set (ZADD XX); never re-adds a removed one. */
  zrefresh(key: string, members: string[], score: number): Promise<void>;
  /** Removes member; returns whether it was there (so exactly one caller wins a removal). */
  zrem(key: string, member: string): Promise<boolean>;
  /** Members with score ≤ maxScore. */
  zrangeByScore(key: string, maxScore: number): Promise<string[]>;
  zmembers(key: string): Promise<string[]>;
  /**
   * Adds `member` (score: its expiry in ms) to `key` and, only if it was new, increments `field` of hash `countKey`,
   * as one atomic step: the new count, or null when the member was already there.
   */
  zaddCounted(key: string, member: string, score: number, countKey: string, field: string): Promise<number | null>;
  /** Atomic increment of a hash counter; returns the new value (deletes the field when it reaches ≤ 0). */
  hincr(key: string, field: string, by: number): Promise<number>;
  sadd(key: string, member: string): Promise<void>;
  srem(key: string, member: string): Promise<void>;
  smembers(key: string): Promise<string[]>;
  del(key: string): Promise<void>;
}
