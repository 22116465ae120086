import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, newId, type TestUser } from "../support/rest.js";
import { makeMentoredCohort, startLiveSession } from "../support/sessions.js";
import {
  type ClientSocket,
  connect,
  emitAck,
  emitOk,
  emitRaw,
  nextEvent,
  okAck,
  OpenedSockets,
  record,
} from "../support/sockets.js";

describe("session chat", () => {
  let cluster: Cluster;
  let mentor: TestUser;
  let learner: TestUser;
  let sessionId: string;
  const sockets = new OpenedSockets();
  const open = async (user: TestUser, node: number) => {
    const s = await sockets.connect(cluster.nodes[node], user.accessToken);
    expect((await emitAck(s, "session:join", { sessionId })).ok).toBe(true);
    return s;
  };
  const send = (s: ClientSocket, body: string, clientId: string = crypto.randomUUID()) =>
    emitAck(s, "chat:send", { sessionId, body, clientId });

  beforeAll(async () => {
    cluster = await startCluster(2);
    const cohort = await makeMentoredCohort(cluster.nodes[0], 1, [cluster.nodes[1]]);
    ({
      mentor,
      learners: [learner],
    } = cohort);
    sessionId = await startLiveSession(cluster.nodes[0], mentor, cohort.cohortId, { title: "Chatty", language: "py" });
  });
  afterAll(async () => {
    sockets.closeAll();
    await cluster?.close();
  });

  it("a message reaches everyone in the session, the sender's sockets included, on both nodes", async () => {
    const sender = await open(learner, 0);
    const senderTab = await open(learner, 1);
    const other = await open(mentor, 1);
    const got = [sender, senderTab, other].map((s) => nextEvent(s, "chat:message"));
    const ack = okAck(await send(sender, "hello 👋"));
    expect(ack).toMatchObject({
      ok: true,
      message: { sessionId, author: { id: learner.id, displayName: learner.displayName }, body: "hello 👋" },
    });
    expect(ack.message.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(ack.message.createdAt).toISOString()).toBe(ack.message.createdAt);
    for (const e of await Promise.all(got)) expect(e).toEqual({ sessionId, message: ack.message });
  });

  it("a retry with the same clientId returns the original message, stored once and broadcast once", async () => {
    const sender = await open(learner, 0);
    const listener = await open(mentor, 1);
    const seen = record(listener, "chat:message");
    const clientId = crypto.randomUUID();
    const first = okAck(await send(sender, "only once", clientId));
    const [retry, concurrent1, concurrent2] = await Promise.all([
      send(sender, "a different body", clientId),
      send(sender, "only once", clientId),
      send(await open(learner, 1), "from the other tab", clientId),
    ]);
    for (const r of [retry, concurrent1, concurrent2]) expect(r).toEqual(first);
    const rows = await sql(cluster.dbUrl, `SELECT body FROM chat_messages WHERE client_id = $1`, [clientId]);
    expect(rows).toEqual([{ body: "only once" }]);
    // marker: a later message from the same node; by then a duplicate broadcast would have arrived
    const marker = nextEvent(listener, "chat:message", (e) => e.message.body === "marker");
    await send(sender, "marker");
    await marker;
    expect(seen.filter((e) => e.message.id === first.message.id)).toHaveLength(1);
    // the same clientId from another author is another message
    const mentorSocket = await open(mentor, 0);
    const theirs = okAck(await send(mentorSocket, "mine", clientId));
    expect(theirs.ok).toBe(true);
    expect(theirs.message.id).not.toBe(first.message.id);
  });

  it("validates body and clientId", async () => {
    const s = await open(learner, 1);
    for (const payload of [
      { sessionId, body: "", clientId: crypto.randomUUID() },
      { sessionId, body: "x".repeat(2001), clientId: crypto.randomUUID() },
      { sessionId, body: "ok", clientId: "not-a-uuid" },
      { sessionId, body: "ok" },
      { sessionId, body: 5, clientId: crypto.randomUUID() },
    ]) {
      expect(await emitRaw(s, "chat:send", payload)).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    }
    expect((await send(s, "🙂".repeat(2000))).ok).toBe(true);
  });

  it("history pages oldest first with a keyset cursor, over sockets and REST; the join ack has the newest 50", async () => {
    const s = await open(learner, 0);
    const before = await emitOk(s, "chat:history", { sessionId, limit: 200 });
    const existing = before.messages.length;
    const bodies = Array.from({ length: 55 }, (_, i) => `m${String(i).padStart(2, "0")}`);
    for (const body of bodies) expect((await send(s, body)).ok).toBe(true);

    const all: { id: string; body: string }[] = [];
    let after: string | undefined;
    for (;;) {
      const page = okAck(await emitAck(s, "chat:history", { sessionId, limit: 20, ...(after ? { after } : {}) }));
      expect(page.ok).toBe(true);
      all.push(...page.messages);
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(all).toHaveLength(existing + 55);
    expect(all.slice(existing).map((m) => m.body)).toEqual(bodies);

    const rest = await api(cluster.nodes[1], "GET", `/api/sessions/${sessionId}/chat?limit=10&after=${all[existing + 9].id}`, {
      token: mentor.accessToken,
    });
    expect(rest.status).toBe(200);
    expect(rest.body.messages.map((m: { body: string }) => m.body)).toEqual(bodies.slice(10, 20));
    expect(rest.body.nextCursor).toBe(rest.body.messages[9].id);
    const firstPage = await api(cluster.nodes[1], "GET", `/api/sessions/${sessionId}/chat`, { token: learner.accessToken });
    expect(firstPage.body.messages).toHaveLength(Math.min(50, existing + 55));
    expect(firstPage.body.messages[0]).toEqual(all[0]);
    for (const q of ["limit=0", "limit=201", "limit=abc", "after=nope"]) {
      const bad = await api(cluster.nodes[0], "GET", `/api/sessions/${sessionId}/chat?${q}`, { token: learner.accessToken });
      expect(bad.status, q).toBe(400);
    }
    for (const limit of [0, true, [7], null, "many"]) {
      expect(await emitRaw(s, "chat:history", { sessionId, limit }), String(limit)).toMatchObject({
        ok: false,
        error: { code: "INVALID_PAYLOAD" },
      });
    }
    expect((await emitRaw(s, "chat:history", { sessionId, limit: "3" })).messages).toHaveLength(3);
    expect(await emitAck(s, "chat:history", { sessionId, after: "x" })).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });
    // an unknown cursor (or another session's message) is 404, not an empty page
    const unknown = await api(cluster.nodes[0], "GET", `/api/sessions/${sessionId}/chat?after=${newId()}`, {
      token: learner.accessToken,
    });
    expect(unknown.status).toBe(404);
    expect(await emitAck(s, "chat:history", { sessionId, after: newId() })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    const last = await api(cluster.nodes[0], "GET", `/api/sessions/${sessionId}/chat?after=${all[all.length - 1].id}`, {
      token: learner.accessToken,
    });
    expect(last.body).toEqual({ messages: [], nextCursor: null });

    const joined = await emitOk(await connect(cluster.nodes[1], mentor.accessToken), "session:join", { sessionId });
    expect(joined.chat).toHaveLength(50);
    expect(joined.chat.map((m: { body: string }) => m.body)).toEqual(bodies.slice(5));
  });
});
