/** The engines' shared state, one suite for both: in memory (one node) and Redis (a cluster). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Server } from "socket.io";
import type { Engine } from "../../src/engine/engine.js";
import { createMemoryEngine } from "../../src/engine/memory.js";
import { createRedisEngine } from "../../src/engine/redis.js";
import { createLogger } from "../../src/logger.js";
import { createMetrics } from "../../src/metrics.js";
import { redisPrefix, TEST_REDIS_URL } from "../support/redis.js";
import { eventually } from "../support/time.js";

const engines: { name: string; make: () => Engine }[] = [
  { name: "memory", make: () => createMemoryEngine() },
  {
    name: "Redis",
    make: () =>
      createRedisEngine({ url: TEST_REDIS_URL, prefix: redisPrefix(), logger: createLogger("silent"), metrics: createMetrics() }),
  },
];

describe.each(engines)("shared state on the $name engine", ({ make }) => {
  let engine: Engine;
  // the Socket.IO server start() installs the cluster adapter on (never attached to HTTP)
  const io = new Server();

  beforeAll(async () => {
    engine = make();
    engine.start(io);
    // start() connects without waiting (a node may start during an outage): wait until the store answers
    await eventually(async () => expect(await engine.health()).not.toBe("down"));
  });
  afterAll(async () => {
    await engine.close();
  });

  it("zaddCounted counts a member once, whoever adds it again, and the count goes down with hincr", async () => {
    const store = engine.sharedState;
    expect(await store.zaddCounted("sockets", "s1", 1_000, "users", "u1")).toBe(1);
    expect(await store.zaddCounted("sockets", "s1", 2_000, "users", "u1")).toBeNull();
    expect(await store.zaddCounted("sockets", "s2", 1_000, "users", "u1")).toBe(2);
    expect(await store.zaddCounted("sockets", "s3", 1_000, "users", "u2")).toBe(1);
    expect((await store.zmembers("sockets")).sort()).toEqual(["s1", "s2", "s3"]);
    // the repeated add refreshed the score
    expect(await store.zrangeByScore("sockets", 1_500)).toEqual(expect.not.arrayContaining(["s1"]));
    expect(await store.zrem("sockets", "s2")).toBe(true);
    expect(await store.hincr("users", "u1", -1)).toBe(1);
    expect(await store.zaddCounted("sockets", "s2", 1_000, "users", "u1")).toBe(2);
  });
});
