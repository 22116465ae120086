import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { connect, emitAck, emitOk, record, type ClientSocket } from "../support/sockets.js";
import { eventually, sleep } from "../support/time.js";

/**
 * A socket's later awareness states are kept in memory and stored at most once a second (not per relay): a join
 * on the sender's node sees the newest state at once, a join on another node within the flush interval.
 */
describe("awareness states stored by the flush, not per relay", () => {
  let cluster: Cluster;
  let mentor: TestUser;
  let users: TestUser[];
  const sockets: ClientSocket[] = [];
  const open = async (user: TestUser, node: number) => {
    const s = await connect(cluster.nodes[node], user.accessToken);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    cluster = await startCluster(2, { env: { SOCKET_RATE_LIMIT: "0" } });
    mentor = await makeUser(cluster.nodes[0], "mentor");
    users = await Promise.all([0, 1, 2].map(() => makeUser(cluster.nodes[1], "learner")));
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  it("the newest state reaches joins on both nodes; every state is relayed", async () => {
    const cohortId = (await makeCohort(cluster.nodes[0], mentor, users)).id;
    const res = await api(cluster.nodes[0], "POST", `/api/cohorts/${cohortId}/sessions`, {
      token: mentor.accessToken,
      body: { title: "Awareness store", language: "js" },
    });
    const id = res.body.session.id as string;
    expect((await api(cluster.nodes[0], "POST", `/api/sessions/${id}/start`, { token: mentor.accessToken })).status).toBe(200);
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
