import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProcessCluster, type Cluster } from "../support/clusters.js";
import type { ProcessNode } from "../support/processes.js";
import { api, makeUser, type TestUser } from "../support/rest.js";
import { makeMentoredCohort, startLiveSession } from "../support/sessions.js";
import { connect, emitOk, emitRaw, nextEvent, OpenedSockets, record, type ClientSocket } from "../support/sockets.js";
import { eventually, sleep } from "../support/time.js";

describe("awareness per connection, across two nodes", () => {
  let cluster: Cluster<ProcessNode>;
  let mentor: TestUser;
  let users: TestUser[];
  let cohortId: string;
  const sockets = new OpenedSockets();
  const open = (user: TestUser, node: number) => sockets.connect(cluster.nodes[node], user.accessToken);
  const join = (socket: ClientSocket, sessionId: string) => emitOk(socket, "session:join", { sessionId });
  const liveSession = () => startLiveSession(cluster.nodes[0], mentor, cohortId, { title: "Awareness", language: "js" });
  // raw: some tests send what the contract refuses
  const send = (s: ClientSocket, payload: Record<string, unknown>) => emitRaw(s, "awareness:update", payload);

  beforeAll(async () => {
    cluster = await startProcessCluster(2, { env: { SOCKET_RATE_LIMIT: "0" } });
    ({ mentor, learners: users, cohortId } = await makeMentoredCohort(cluster.nodes[0], 3, [cluster.nodes[1]]));
  });
  afterAll(async () => {
    sockets.closeAll();
    await cluster?.close();
  });

  it("one entry per socket with its clientId; a closed tab's state is relayed as null and gone from later joins", async () => {
    const id = await liveSession();
    const [a, b, c] = users;
    const tab1 = await open(a, 0);
    const tab2 = await open(a, 1);
    const watcher = await open(b, 1);
    for (const s of [tab1, tab2, watcher]) await join(s, id);
    const seen = record(watcher, "awareness:update");

    expect(await send(tab1, { sessionId: id, state: { cursor: 1 }, clientId: 111 })).toEqual({ ok: true });
    expect(await send(tab2, { sessionId: id, state: { cursor: 2 }, clientId: 4294967295 })).toEqual({ ok: true });
    await eventually(() => seen.length >= 2);
    expect(seen).toContainEqual({ sessionId: id, userId: a.id, clientId: 111, state: { cursor: 1 } });
    expect(seen).toContainEqual({ sessionId: id, userId: a.id, clientId: 4294967295, state: { cursor: 2 } });

    // the two tabs of one user are two entries of the join ack, on either node
    const late = await open(c, 0);
    const ack = await eventually(async () => {
      const r = await join(late, id);
      return r.awareness.length === 2 ? r : null;
    });
    expect(ack!.awareness).toEqual(
      expect.arrayContaining([
        { userId: a.id, clientId: 111, state: { cursor: 1 } },
        { userId: a.id, clientId: 4294967295, state: { cursor: 2 } },
      ]),
    );

    // tab 1 disconnects: its state goes to null for the others (node 1 hears it from node 0); tab 2's stays
    const gone = nextEvent(watcher, "awareness:update", (p) => p.state === null);
    tab1.close();
    expect(await gone).toEqual({ sessionId: id, userId: a.id, clientId: 111, state: null });
    const after = await join(late, id);
    expect(after.awareness).toEqual([{ userId: a.id, clientId: 4294967295, state: { cursor: 2 } }]);

    // tab 2 leaves the session (still connected): null for it too, and the ack is empty
    const gone2 = nextEvent(watcher, "awareness:update", (p) => p.state === null && p.clientId === 4294967295);
    expect(await emitOk(tab2, "session:leave", { sessionId: id })).toEqual({ ok: true });
    await gone2;
    expect((await join(late, id)).awareness).toEqual([]);
  });

  it("a socket without clientId relays null; a socket with no state leaves no null behind", async () => {
    const id = await liveSession();
    const [a, b] = users;
    const sender = await open(a, 0);
    const silent = await open(a, 0);
    const watcher = await open(b, 1);
    for (const s of [sender, silent, watcher]) await join(s, id);
    const seen = record(watcher, "awareness:update");
    expect(await send(sender, { sessionId: id, state: { x: 1 } })).toEqual({ ok: true });
    await eventually(() => seen.length === 1);
    expect(seen[0]).toEqual({ sessionId: id, userId: a.id, clientId: null, state: { x: 1 } });
    silent.close();
    sender.close();
    await eventually(() => seen.length === 2);
    await sleep(300);
    expect(seen[1]).toEqual({ sessionId: id, userId: a.id, clientId: null, state: null });
    expect(seen).toHaveLength(2);
  });

  it("a pending coalesced state is never relayed after the socket disconnected, nor re-stored", async () => {
    const id = await liveSession();
    const [a, b] = users;
    const sender = await open(a, 0);
    const watcher = await open(b, 1);
    for (const s of [sender, watcher]) await join(s, id);
    const seen = record(watcher, "awareness:update");
    // the first is relayed at once, the next ones wait (coalesced) for the 50 ms window
    for (let i = 0; i < 5; i++) sender.emit("awareness:update", { sessionId: id, state: { i }, clientId: 7 });
    await eventually(() => seen.length >= 1, 5_000, 5);
    sender.disconnect();
    await eventually(() => seen.some((p) => p.state === null));
    await sleep(11_000); // past the pending window and one awareness refresh (10 s)
    const nulls = seen.findIndex((p) => p.state === null);
    expect(seen.slice(nulls + 1)).toEqual([]);
    const late = await open(users[2], 1);
    expect((await join(late, id)).awareness).toEqual([]);
  }, 30_000);

  it("validates clientId: an integer 0..4294967295", async () => {
    const id = await liveSession();
    const s = await open(users[0], 0);
    await join(s, id);
    for (const clientId of [-1, 4294967296, 1.5, "7", true]) {
      expect(await send(s, { sessionId: id, state: {}, clientId })).toMatchObject({
        ok: false,
        error: { code: "INVALID_PAYLOAD" },
      });
    }
    expect(await send(s, { sessionId: id, state: {}, clientId: 0 })).toEqual({ ok: true });
  });

  it("a dead node's sockets: the surviving nodes relay null for their states and drop them from the join ack", async () => {
    const id = await liveSession();
    const [a, b, c] = users;
    const doomed = await cluster.addNode();
    const victim = await connect(doomed, a.accessToken);
    const watcher = await open(b, 1);
    for (const s of [victim, watcher]) await join(s, id);
    const seen = record(watcher, "awareness:update");
    expect(await send(victim, { sessionId: id, state: { on: "doomed" }, clientId: 99 })).toEqual({ ok: true });
    await eventually(() => seen.some((p) => p.clientId === 99));
    const gone = nextEvent(watcher, "awareness:update", (p) => p.clientId === 99 && p.state === null, 40_000);
    await doomed.stop("SIGKILL");
    victim.close();
    expect(await gone).toEqual({ sessionId: id, userId: a.id, clientId: 99, state: null });
    const late = await open(c, 0);
    expect((await join(late, id)).awareness).toEqual([]);
  }, 60_000);

  it("a member removed from the cohort: the others get null for each of their sockets", async () => {
    const id = await liveSession();
    const extra = await makeUser(cluster.nodes[0], "learner");
    await api(cluster.nodes[0], "POST", `/api/cohorts/${cohortId}/members`, {
      token: mentor.accessToken,
      body: { userId: extra.id, role: "learner" },
    });
    const victim = await open(extra, 0);
    const watcher = await open(users[1], 1);
    for (const s of [victim, watcher]) await join(s, id);
    expect(await send(victim, { sessionId: id, state: { here: true }, clientId: 42 })).toEqual({ ok: true });
    const gone = nextEvent(watcher, "awareness:update", (p) => p.state === null);
    const removed = await api(cluster.nodes[1], "DELETE", `/api/cohorts/${cohortId}/members/${extra.id}`, {
      token: mentor.accessToken,
    });
    expect(removed.status).toBe(204);
    expect(await gone).toEqual({ sessionId: id, userId: extra.id, clientId: 42, state: null });
  });
});
