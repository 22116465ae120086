import { isDeepStrictEqual } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { startCluster } from "../support/clusters.js";
import { cohortClusterForFile } from "../support/file-fixtures.js";
import type { TestUser } from "../support/rest.js";
import { startLiveSession } from "../support/sessions.js";
import { emitAck, emitOk, OpenedSockets, record } from "../support/sockets.js";
import { eventually, sleep } from "../support/time.js";

/**
 * A socket's later awareness states are kept in memory and stored at most once a second (not per relay): a join
 * on the sender's node sees the newest state at once, a join on another node within the flush interval.
 */
describe("awareness states stored by the flush, not per relay", () => {
  const world = cohortClusterForFile(startCluster, 2, {
    cluster: { env: { SOCKET_RATE_LIMIT: "0" } },
    learners: 3,
    learnersOn: [1],
  });
  const sockets = new OpenedSockets();
  const open = (user: TestUser, node: number) => sockets.connect(world.cluster.nodes[node], user.accessToken);
  afterAll(() => sockets.closeAll());

  it("the newest state reaches joins on both nodes; every state is relayed", async () => {
    const { cluster, mentor, learners: users, cohortId } = world;
    const id = await startLiveSession(cluster.nodes[0], mentor, cohortId, { title: "Awareness store", language: "js" });
    const [a, b, c] = users;
    const sender = await open(a, 0);
    const watcher = await open(b, 1);
    for (const s of [sender, watcher]) expect((await emitAck(s, "session:join", { sessionId: id })).ok).toBe(true);
    const seen = record(watcher, "awareness:update");

    for (let v = 1; v <= 3; v++) {
      expect(await emitAck(sender, "awareness:update", { sessionId: id, state: { v }, clientId: 5 })).toEqual({ ok: true });
      await sleep(60); // past the 50 ms throttle: each state is relayed, none coalesced
    }
    await eventually(() => seen.length === 3);
    expect(seen.map((p) => p.state)).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);

    // the sender's node answers from memory at once
    const local = await open(c, 0);
    const here = await emitOk(local, "session:join", { sessionId: id });
    expect(here.awareness).toEqual([{ userId: a.id, clientId: 5, state: { v: 3 } }]);

    // the other node reads what the flush stored: the newest state within about a second
    const remote = await open(c, 1);
    const started = Date.now();
    const there = await eventually(async () => {
      const ack = await emitOk(remote, "session:join", { sessionId: id });
      return isDeepStrictEqual(ack.awareness[0]?.state, { v: 3 }) ? ack : null;
    }, 5_000);
    expect(there!.awareness).toEqual([{ userId: a.id, clientId: 5, state: { v: 3 } }]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
