import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { emitAck, emitOk, nextEvent, okAck, OpenedSockets } from "../support/sockets.js";
import { DocClient } from "../support/yjs.js";

describe("session lifecycle and permissions", () => {
  let cluster: Cluster;
  let mentor: TestUser;
  let coMentor: TestUser;
  let learner: TestUser;
  let outsider: TestUser;
  let cohortId: string;
  const sockets = new OpenedSockets();
  const open = (user: TestUser, node = 0) => sockets.connect(cluster.nodes[node], user.accessToken);
  const create = (user: TestUser, body: Record<string, unknown> = { title: "Intro", language: "python" }, cohort = cohortId) =>
    api(cluster.nodes[0], "POST", `/api/cohorts/${cohort}/sessions`, { token: user.accessToken, body });
  const transition = (user: TestUser, id: string, to: "start" | "end", node = 0) =>
    api(cluster.nodes[node], "POST", `/api/sessions/${id}/${to}`, { token: user.accessToken });

  beforeAll(async () => {
    cluster = await startCluster(2);
    [mentor, coMentor, learner, outsider] = await Promise.all([
      makeUser(cluster.nodes[0], "mentor"),
      makeUser(cluster.nodes[0], "mentor"),
      makeUser(cluster.nodes[1], "learner"),
      makeUser(cluster.nodes[1], "learner"),
    ]);
    cohortId = (await makeCohort(cluster.nodes[0], mentor, [{ user: coMentor, role: "mentor" }, learner])).id;
  });
  afterAll(async () => {
    sockets.closeAll();
    await cluster?.close();
  });

  it("only a cohort mentor creates sessions; inputs are validated", async () => {
    const res = await create(mentor, { title: "Intro", language: "python", initialCode: "print(1)\n" });
    expect(res.status).toBe(201);
    expect(res.body.session).toMatchObject({
      cohortId,
      hostId: mentor.id,
      title: "Intro",
      language: "python",
      status: "scheduled",
      startedAt: null,
      endedAt: null,
    });
    expect(res.body.session.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(res.body.session.createdAt).toISOString()).toBe(res.body.session.createdAt);

    expect((await create(learner)).status).toBe(403);
    expect((await create(outsider)).status).toBe(403);
    expect((await create(mentor, undefined, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await create(mentor, undefined, "not-a-uuid")).status).toBe(400);
    const invalid = [
      { title: "", language: "py" },
      { title: "t".repeat(201), language: "py" },
      { title: "t" },
      { title: "t", language: "l".repeat(41) },
      { title: "t", language: "py", initialCode: 5 },
    ];
    for (const body of invalid) {
      const r = await create(mentor, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe("INVALID_PAYLOAD");
    }
    const big = await create(mentor, { title: "t", language: "py", initialCode: "x".repeat(256 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    // 200 characters (not bytes) are fine
    expect((await create(mentor, { title: "é".repeat(200), language: "py" })).status).toBe(201);
  });

  it("members read sessions, lists and documents; others get 403, unknown 404, malformed 400", async () => {
    const { session } = (await create(mentor, { title: "Readable", language: "go", initialCode: "package main\n" })).body;
    for (const user of [mentor, coMentor, learner]) {
      const got = await api(cluster.nodes[1], "GET", `/api/sessions/${session.id}`, { token: user.accessToken });
      expect(got.status).toBe(200);
      expect(got.body.session).toEqual(session);
      const list = await api(cluster.nodes[1], "GET", `/api/cohorts/${cohortId}/sessions`, { token: user.accessToken });
      expect(list.status).toBe(200);
      expect(list.body.sessions.map((s: { id: string }) => s.id)).toContain(session.id);
      const doc = await api(cluster.nodes[0], "GET", `/api/sessions/${session.id}/document`, { token: user.accessToken });
      expect(doc.body.text).toBe("package main\n");
    }
    for (const path of [
      `/api/sessions/${session.id}`,
      `/api/sessions/${session.id}/document`,
      `/api/sessions/${session.id}/chat`,
      `/api/cohorts/${cohortId}/sessions`,
    ]) {
      expect((await api(cluster.nodes[0], "GET", path, { token: outsider.accessToken })).status).toBe(403);
      expect((await api(cluster.nodes[0], "GET", path)).status).toBe(401);
    }
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const path of [`/api/sessions/${unknown}`, `/api/sessions/${unknown}/document`, `/api/sessions/${unknown}/chat`]) {
      expect((await api(cluster.nodes[0], "GET", path, { token: learner.accessToken })).status).toBe(404);
    }
    expect((await api(cluster.nodes[0], "POST", `/api/sessions/${unknown}/start`, { token: mentor.accessToken })).status).toBe(
      404,
    );
    for (const path of [
      "/api/sessions/xyz",
      "/api/sessions/xyz/document",
      "/api/sessions/xyz/chat",
      "/api/cohorts/xyz/sessions",
    ]) {
      expect((await api(cluster.nodes[0], "GET", path, { token: learner.accessToken })).status).toBe(400);
    }
  });

  it("start and end: host or mentor only, wrong transitions 409, the room hears session:status on both nodes", async () => {
    const { session } = (await create(mentor)).body;
    const watchers = [new DocClient(session.id), new DocClient(session.id)];
    await watchers[0].join(await open(learner, 0));
    await watchers[1].join(await open(coMentor, 1));

    expect((await transition(learner, session.id, "start")).status).toBe(403);
    expect((await transition(outsider, session.id, "start")).status).toBe(403);
    const statuses = watchers.map((w) => nextEvent(w.socket, "session:status"));
    const started = await transition(mentor, session.id, "start", 1);
    expect(started.status).toBe(200);
    expect(started.body.session.status).toBe("live");
    expect(started.body.session.startedAt).not.toBeNull();
    for (const s of await Promise.all(statuses)) expect(s).toEqual({ sessionId: session.id, status: "live" });

    expect((await transition(mentor, session.id, "start")).status).toBe(409);
    expect((await transition(learner, session.id, "end")).status).toBe(403);
    const ended = watchers.map((w) => nextEvent(w.socket, "session:status"));
    // another mentor of the cohort (not the host) may end it
    const end = await transition(coMentor, session.id, "end");
    expect(end.status).toBe(200);
    expect(end.body.session).toMatchObject({ status: "ended" });
    expect(end.body.session.endedAt).not.toBeNull();
    for (const s of await Promise.all(ended)) expect(s).toEqual({ sessionId: session.id, status: "ended" });
    const again = await transition(mentor, session.id, "end");
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CONFLICT");
    expect((await transition(mentor, session.id, "start")).status).toBe(409);

    // scheduled → ended directly is allowed
    const other = (await create(mentor)).body.session;
    expect((await transition(mentor, other.id, "end")).status).toBe(200);
    expect((await transition(mentor, other.id, "start")).status).toBe(409);
  });

  it("starting notifies every member except the starter", async () => {
    const { session } = (await create(mentor, { title: "Notify me", language: "rust" })).body;
    const learnerSocket = await open(learner, 1);
    const note = nextEvent(
      learnerSocket,
      "notification",
      (n) => n.type === "session_started" && n.payload.sessionId === session.id,
    );
    expect((await transition(mentor, session.id, "start")).status).toBe(200);
    expect((await note).payload).toEqual({ sessionId: session.id, cohortId, title: "Notify me" });
    const mine = await api(cluster.nodes[0], "GET", "/api/notifications", { token: mentor.accessToken });
    expect(mine.body.items.filter((n: { payload: { sessionId?: string } }) => n.payload.sessionId === session.id)).toHaveLength(
      0,
    );
    const theirs = await api(cluster.nodes[0], "GET", "/api/notifications", { token: coMentor.accessToken });
    expect(theirs.body.items.filter((n: { payload: { sessionId?: string } }) => n.payload.sessionId === session.id)).toHaveLength(
      1,
    );
  });

  it("socket events: members only, join first, writes only while live (FORBIDDEN), ended stays readable", async () => {
    const { session } = (await create(mentor, { title: "Writes", language: "ts", initialCode: "let a = 1;\n" })).body;
    const id = session.id as string;

    const stranger = await open(outsider, 0);
    expect(await emitAck(stranger, "session:join", { sessionId: id })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await emitAck(stranger, "session:join", { sessionId: "00000000-0000-4000-8000-000000000000" })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    expect(await emitAck(stranger, "session:join", { sessionId: "bad" })).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });

    // before joining, every other event is refused
    const notJoined = await open(learner, 1);
    for (const [event, payload] of [
      ["doc:sync", { sessionId: id, stateVector: new Uint8Array([0]) }],
      ["chat:history", { sessionId: id }],
      ["chat:send", { sessionId: id, body: "hi", clientId: crypto.randomUUID() }],
      ["awareness:update", { sessionId: id, state: { cursor: 1 } }],
      ["session:leave", { sessionId: id }],
    ] as const) {
      expect(await emitAck(notJoined, event, payload), event).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    }
    // …and an unknown session is 404 on every event, as on REST
    const unknownSession = "00000000-0000-4000-8000-000000000000";
    for (const [event, payload] of [
      ["doc:update", { sessionId: unknownSession, update: new Uint8Array([0, 0]) }],
      ["doc:sync", { sessionId: unknownSession, stateVector: new Uint8Array([0]) }],
      ["chat:history", { sessionId: unknownSession }],
      ["chat:send", { sessionId: unknownSession, body: "hi", clientId: crypto.randomUUID() }],
      ["awareness:update", { sessionId: unknownSession, state: { cursor: 1 } }],
      ["session:leave", { sessionId: unknownSession }],
    ] as const) {
      expect(await emitAck(notJoined, event, payload), event).toMatchObject({ ok: false, error: { code: "NOT_FOUND" } });
    }

    // scheduled: join works (state, presence, chat), writes are FORBIDDEN
    const client = new DocClient(id);
    const joined = await client.join(notJoined);
    expect(joined).toMatchObject({ ok: true, session: { id, status: "scheduled" }, chat: [], awareness: [] });
    expect(okAck(joined).presence).toEqual([{ userId: learner.id, displayName: learner.displayName, role: "learner" }]);
    expect(client.text()).toBe("let a = 1;\n");
    expect(await client.type("x")).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await emitAck(client.socket, "awareness:update", { sessionId: id, state: { c: 1 } })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    expect(
      await emitAck(client.socket, "chat:send", { sessionId: id, body: "early", clientId: crypto.randomUUID() }),
    ).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    expect((await emitAck(client.socket, "doc:sync", { sessionId: id, stateVector: new Uint8Array([0]) })).ok).toBe(true);

    // live (started on the other node): writes work
    expect((await transition(mentor, id, "start", 0)).status).toBe(200);
    expect(await client.type("y")).toEqual({ ok: true });
    expect((await emitAck(client.socket, "chat:send", { sessionId: id, body: "during", clientId: crypto.randomUUID() })).ok).toBe(
      true,
    );

    // ended (on the other node): every write is refused by both nodes, nothing more is stored
    expect((await transition(mentor, id, "end", 0)).status).toBe(200);
    const textAtEnd = (await api(cluster.nodes[0], "GET", `/api/sessions/${id}/document`, { token: mentor.accessToken })).body
      .text;
    for (const node of [0, 1]) {
      const c = new DocClient(id);
      const ack = await c.join(await open(learner, node));
      expect(ack).toMatchObject({ ok: true, session: { status: "ended" } });
      expect(okAck(ack).chat.map((m) => m.body)).toEqual(["during"]);
      expect(c.text()).toBe(textAtEnd);
      expect(await c.type("z")).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
      expect(await emitAck(c.socket, "chat:send", { sessionId: id, body: "late", clientId: crypto.randomUUID() })).toMatchObject({
        ok: false,
        error: { code: "FORBIDDEN" },
      });
      expect(await emitAck(c.socket, "awareness:update", { sessionId: id, state: {} })).toMatchObject({
        ok: false,
        error: { code: "FORBIDDEN" },
      });
      expect((await emitOk(c.socket, "chat:history", { sessionId: id })).messages).toHaveLength(1);
    }
    expect(await client.type("w")).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect((await api(cluster.nodes[1], "GET", `/api/sessions/${id}/document`, { token: learner.accessToken })).body.text).toBe(
      textAtEnd,
    );
    expect(await emitAck(client.socket, "session:leave", { sessionId: id })).toEqual({ ok: true });
    expect(await emitAck(client.socket, "session:leave", { sessionId: id })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
  });
});
