import { afterAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { Awareness } from "y-protocols/awareness";
import { CohortLiveClient, CohortLiveError, fromBase64, MemoryStorage, type Notification } from "cohort-live/client";
import { startProcessCluster } from "../support/clusters.js";
import { cohortClusterForFile } from "../support/file-fixtures.js";
import { api, makeCohort, makeUser } from "../support/rest.js";
import { startLiveSession } from "../support/sessions.js";
import { eventually } from "../support/time.js";

/** A browser tab's worth of state: a client, and a Y.Doc with its Awareness. */
function tab(url: string, storage = new MemoryStorage()) {
  const client = new CohortLiveClient({ url, storage });
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  return { client, doc, awareness, text: () => doc.getText("code").toString() };
}

describe("cohort-live/client against two nodes", () => {
  const world = cohortClusterForFile(startProcessCluster, 2, {
    cluster: { env: { SOCKET_RATE_LIMIT: "0" } },
    learners: 1,
    learnersOn: [1],
  });
  const clients: CohortLiveClient[] = [];
  const open = (node: number, storage?: MemoryStorage) => {
    const t = tab(world.cluster.nodes[node].url, storage);
    clients.push(t.client);
    return t;
  };
  const liveSession = (initialCode = "") =>
    startLiveSession(world.cluster.nodes[0], world.mentor, world.cohortId, { title: "Client", language: "js", initialCode });
  const documentText = async (id: string) => {
    const res = await api(world.cluster.nodes[1], "GET", `/api/sessions/${id}/document`, { token: world.mentor.accessToken });
    return res.body.text as string;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("register, login, user, request; a refusal throws CohortLiveError {status, code, message}", async () => {
    const { cohortId } = world;
    const { client } = open(0);
    const email = `client-${Date.now()}@cohort.test`;
    const user = await client.register({ email, password: "password-123", displayName: "Client User" });
    expect(client.user).toMatchObject({ id: user.id, email, displayName: "Client User", role: "learner" });
    const me = await client.request("GET", "/api/me"); // typed from the contract: { user: User }
    expect(me.user.id).toBe(user.id);
    expect(await client.request("GET", "/api/cohorts")).toMatchObject({ cohorts: [] });
    const refused = await client.request("GET", `/api/cohorts/${cohortId}`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CohortLiveError);
    expect(refused).toMatchObject({ status: 403, code: "FORBIDDEN" });
    const bad = await client
      .request("POST", "/api/cohorts", { name: "" } as unknown as { name: string; slug: string })
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: "INVALID_PAYLOAD" });
    await client.logout();
    expect(client.user).toBeNull();
    const other = open(1).client;
    await other.login({ email, password: "password-123" });
    expect(other.user?.id).toBe(user.id);
    await expect(other.login({ email, password: "wrong-password" })).rejects.toMatchObject({ status: 401, code: "UNAUTHORIZED" });
  });

  it("two tabs sharing one storage refresh concurrently without presenting one refresh token twice", async () => {
    const { cluster } = world;
    const [learner] = world.learners;
    const storage = new MemoryStorage();
    const a = open(0, storage).client;
    const b = open(0, storage).client; // two tabs of one origin
    await a.login({ email: learner.email, password: learner.password });
    expect(b.user?.id).toBe(learner.id);
    const before = storage.getItem(`cohort-live:${cluster.nodes[0].url}:auth`);
    await Promise.all([a.refreshTokens(), b.refreshTokens(), a.refreshTokens(), b.refreshTokens()]);
    // had a token been presented twice, its family would be revoked and these would fail
    await a.refreshTokens();
    expect(await b.request("GET", "/api/me")).toMatchObject({ user: { id: learner.id } });
    expect(await a.request("GET", "/api/me")).toMatchObject({ user: { id: learner.id } });
    expect(storage.getItem(`cohort-live:${cluster.nodes[0].url}:auth`)).not.toBe(before);
  });

  it("two clients on two nodes co-edit a Y.Doc; awareness states keyed by clientID, removed when a tab leaves", async () => {
    const { mentor } = world;
    const [learner] = world.learners;
    const id = await liveSession("start\n");
    const m = open(0);
    const l = open(1);
    await m.client.login({ email: mentor.email, password: mentor.password });
    await l.client.login({ email: learner.email, password: learner.password });
    m.awareness.setLocalState({ user: { name: "Mentor" }, cursor: 1 });
    const ml = await m.client.joinSession(id, { doc: m.doc, awareness: m.awareness });
    expect(m.text()).toBe("start\n");
    expect(ml.status).toBe("synced");
    const ll = await l.client.joinSession(id, { doc: l.doc, awareness: l.awareness });
    l.awareness.setLocalState({ user: { name: "Learner" }, cursor: 2 });
    expect(l.text()).toBe("start\n");
    expect(ll.presence.map((p) => p.userId).sort()).toEqual([mentor.id, learner.id].sort());

    m.doc.getText("code").insert(6, "mentor ");
    l.doc.getText("code").insert(0, "learner ");
    await eventually(() => m.text() === l.text() && m.text().includes("mentor") && m.text().includes("learner"));
    await Promise.all([ml.flushed(), ll.flushed()]);
    expect(await documentText(id)).toBe(m.text());

    await eventually(() => (m.awareness.getStates().get(l.awareness.clientID) as { cursor?: number } | undefined)?.cursor === 2);
    await eventually(() => (l.awareness.getStates().get(m.awareness.clientID) as { cursor?: number } | undefined)?.cursor === 1);
    expect(ml.remoteClients.get(l.awareness.clientID)).toBe(learner.id);

    // the chat goes to everyone, the sender included
    const msg = await ll.sendChat("hello from the learner");
    await eventually(() => ml.chat.some((c) => c.id === msg.id));

    await ll.leave();
    await eventually(() => !m.awareness.getStates().has(l.awareness.clientID));
    await eventually(() => !ml.presence.some((p) => p.userId === learner.id));
  });

  it("sessionHistory pages through the whole history, which rebuilds the document; sessionAuthors counts each author's", async () => {
    const { mentor } = world;
    const [learner] = world.learners;
    const id = await liveSession("one\n");
    const m = open(0);
    const l = open(1);
    await m.client.login({ email: mentor.email, password: mentor.password });
    await l.client.login({ email: learner.email, password: learner.password });
    const ml = await m.client.joinSession(id, { doc: m.doc });
    const ll = await l.client.joinSession(id, { doc: l.doc });
    for (const [tab, live, word] of [
      [m, ml, "two"],
      [l, ll, "three"],
      [m, ml, "four"],
      [l, ll, "five"],
    ] as const) {
      tab.doc.getText("code").insert(0, `${word}\n`);
      await live.flushed();
    }
    const history = await l.client.sessionHistory(id, { pageSize: 2 }); // three pages
    expect(history.map((h) => h.userId)).toEqual([mentor.id, mentor.id, learner.id, mentor.id, learner.id]);
    expect(new Set(history.map((h) => h.id)).size).toBe(5);
    expect(await l.client.sessionHistory(id)).toEqual(history);
    const doc = new Y.Doc();
    for (const item of history) Y.applyUpdate(doc, fromBase64(item.update));
    expect(doc.getText("code").toString()).toBe(await documentText(id));
    const authors = await l.client.sessionAuthors(id);
    expect(authors.map((a) => [a.user.id, a.updates])).toEqual([
      [mentor.id, 3],
      [learner.id, 2],
    ]);
    expect(authors[1]!.lastAt).toBe(history[4]!.createdAt);
  });

  it("offline edits on both sides converge after the reconnect (doc:sync both ways)", async () => {
    const { mentor } = world;
    const [learner] = world.learners;
    const id = await liveSession("base");
    const m = open(0);
    const l = open(1);
    await m.client.login({ email: mentor.email, password: mentor.password });
    await l.client.login({ email: learner.email, password: learner.password });
    const ml = await m.client.joinSession(id, { doc: m.doc, awareness: m.awareness });
    const ll = await l.client.joinSession(id, { doc: l.doc });
    const statuses: string[] = [];
    ll.events.on("status", (s) => statuses.push(s));

    const first = await ml.sendChat("before the drop");
    await eventually(() => ll.chat.some((c) => c.id === first.id));

    // drop the learner's connection (as a network failure would): socket.io-client reconnects by itself
    l.client.connect().socket.io.engine.close();
    await eventually(() => ll.status === "offline");
    l.doc.getText("code").insert(0, "[offline learner]");
    m.doc.getText("code").insert(4, "[online mentor]");
    await ml.flushed();
    // more messages than the join's newest 50: the rest comes from chat:history
    for (let i = 0; i < 60; i++) await ml.sendChat(`while away ${i}`);
    await eventually(() => ll.status === "synced", 15_000);
    await ll.flushed();
    await eventually(
      () => l.text() === m.text() && l.text().includes("[offline learner]") && l.text().includes("[online mentor]"),
    );
    expect(await documentText(id)).toBe(l.text());
    expect(statuses).toEqual(["offline", "connecting", "synced"]);
    expect(ll.chat.map((c) => c.body)).toEqual(["before the drop", ...Array.from({ length: 60 }, (_, i) => `while away ${i}`)]);
  });

  it("notifications: live, and what came while disconnected is caught up after the reconnect", async () => {
    const { cluster, mentor, cohortId } = world;
    const [learner] = world.learners;
    const l = open(1);
    await l.client.login({ email: learner.email, password: learner.password });
    const got: Notification[] = [];
    l.client.onNotification((n) => got.push(n));
    await l.client.syncNotifications();
    got.length = 0;
    const announce = (title: string) =>
      api(cluster.nodes[0], "POST", `/api/cohorts/${cohortId}/announcements`, {
        token: mentor.accessToken,
        body: { title, body: "b" },
      });
    expect((await announce("live one")).status).toBe(201);
    await eventually(() => got.some((n) => n.payload.title === "live one"));

    const socket = l.client.connect().socket;
    socket.disconnect();
    await announce("while away");
    socket.connect();
    await eventually(() => got.some((n) => n.payload.title === "while away"));
    expect(got.filter((n) => n.payload.title === "live one")).toHaveLength(1);
  });

  it("joining a session of another cohort is refused with the ack's error", async () => {
    const { cluster } = world;
    const [learner] = world.learners;
    const outsider = await makeUser(cluster.nodes[0], "mentor");
    const otherCohort = await makeCohort(cluster.nodes[0], outsider);
    const res = await api(cluster.nodes[0], "POST", `/api/cohorts/${otherCohort.id}/sessions`, {
      token: outsider.accessToken,
      body: { title: "Private", language: "js" },
    });
    const l = open(1);
    await l.client.login({ email: learner.email, password: learner.password });
    const err = await l.client.joinSession(res.body.session.id, { doc: l.doc }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 403, code: "FORBIDDEN" });
  });
});
