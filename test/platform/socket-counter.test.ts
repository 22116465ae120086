/** MAX_SOCKETS_PER_USER's shared count: entries of a node that died stop counting once their TTL has passed. */
import { afterAll, describe, expect, it } from "vitest";
import { createMemoryEngine } from "../../src/engine/memory.js";
import { createLogger } from "../../src/logger.js";
import { createSocketCounter, SOCKET_ENTRY_TTL_MS } from "../../src/realtime/connect-limits.js";

describe("socket counter", () => {
  const engine = createMemoryEngine();
  const counter = createSocketCounter({ engine, logger: createLogger("silent"), limit: 2 });
  afterAll(async () => {
    counter.stop();
    await engine.close();
  });

  it("refuses above the limit, frees a place on release, and forgets a dead node's entries after the TTL", async () => {
    await counter.admit("u1", "s1");
    await counter.admit("u1", "s2");
    await expect(counter.admit("u1", "s3")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    counter.release("u1", "s2");
    await new Promise((r) => setTimeout(r, 10));
    await counter.admit("u1", "s3");
    // another node's entries that were never refreshed (it died): past their expiry they no longer count
    await engine.sharedState.zadd("sockets:u2", "dead-1", Date.now() - 1);
    await engine.sharedState.zadd("sockets:u2", "dead-2", Date.now() + SOCKET_ENTRY_TTL_MS);
    await counter.admit("u2", "live-1");
    await expect(counter.admit("u2", "live-2")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect((await engine.sharedState.zmembers("sockets:u2")).sort()).toEqual(["dead-2", "live-1"]);
  });
});
