/**
 * "Nothing happens until start()": building a server opens no connection to PostgreSQL or Redis and schedules
 * nothing; stopping a server that never started does not connect either.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { createServer } from "../../src/server.js";
import { JWT_SECRET } from "../support/servers.js";
import { eventually, sleep } from "../support/time.js";
import { createMigratedDatabase } from "../support/databases.js";

/** A TCP listener that only counts the connections made to it. */
async function countingListener() {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, connections: () => connections, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("a built server before start()", () => {
  let redis: Awaited<ReturnType<typeof countingListener>>;
  let postgres: Awaited<ReturnType<typeof countingListener>>;
  beforeAll(async () => {
    [redis, postgres] = await Promise.all([countingListener(), countingListener()]);
  });
  afterAll(async () => {
    await redis?.close();
    await postgres?.close();
  });

  it("connects to nothing until started, and stops without connecting", async () => {
    const config = loadConfig({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${postgres.port}/none`,
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      JWT_SECRET,
      PORT: "0",
    });
    const server = createServer(config, { logger: createLogger("silent") });
    await sleep(500);
    expect([redis.connections(), postgres.connections()]).toEqual([0, 0]);
    await server.stop();
    await sleep(200);
    expect([redis.connections(), postgres.connections()]).toEqual([0, 0]);
  });

  it("connects when started, and starts and stops while Redis is unreachable (a stop never waits for it)", async () => {
    const db = await createMigratedDatabase();
    try {
      const config = loadConfig({ DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${redis.port}`, JWT_SECRET, PORT: "0" });
      const server = createServer(config, { logger: createLogger("silent") });
      const before = redis.connections();
      await server.start();
      await eventually(() => expect(redis.connections()).toBeGreaterThan(before));
      await server.stop();
    } finally {
      await db.drop();
    }
  });
});
