import { afterAll, describe, expect, it } from "vitest";
import { startCluster } from "../support/clusters.js";
import { cohortClusterForFile } from "../support/file-fixtures.js";
import { api, makeCohort, type TestUser } from "../support/rest.js";
import { startLiveSession } from "../support/sessions.js";
import { type ClientSocket, emitAck, emitOk, emitRaw, nextEvent, okAck, OpenedSockets, record } from "../support/sockets.js";
import { eventually } from "../support/time.js";

describe("presence and awareness across two nodes", () => {
  const world = cohortClusterForFile(startCluster, 2, { learners: 5, learnersOn: [1] });
  const sockets = new OpenedSockets();
  const open = (user: TestUser, node: number) => sockets.connect(world.cluster.nodes[node], user.accessToken);
  const join = async (socket: ClientSocket, sessionId: string) => {
    const ack = await emitAck(socket, "session:join", { sessionId });
    expect(ack.ok).toBe(true);
    return okAck(ack);
  };
  const liveSession = () =>
    startLiveSession(world.cluster.nodes[0], world.mentor, world.cohortId, { title: "Presence", language: "js" });
  const ref = (u: TestUser) => ({ userId: u.id, displayName: u.displayName, role: "learner" });
  const ids = (list: { userId: string }[]) => list.map((p) => p.userId).sort();
  /** The cursor of an awareness state (free-form client data). */
  const cursorOf = (state: unknown) =>
    typeof state === "object" && state !== null && "cursor" in state ? state.cursor : undefined;

  afterAll(() => sockets.closeAll());

  it("per-user presence with two tabs on two nodes: joined once, left after the last tab, never to oneself", async () => {
    const { learners: users } = world;
    const id = await liveSession();
    const [a, b, c, d] = users;
    const a1 = await open(a, 0);
    const a1Joined = record(a1, "presence:joined");
    const a1Left = record(a1, "presence:left");
    expect((await join(a1, id)).presence).toEqual([ref(a)]);

    const b1 = await open(b, 1);
    const bJoined = record(b1, "presence:joined");
    const bLeft = record(b1, "presence:left");
    const seenByA = nextEvent(a1, "presence:joined");
    expect(ids((await join(b1, id)).presence)).toEqual(ids([ref(a), ref(b)]));
    expect(await seenByA).toEqual({ sessionId: id, user: ref(b) });

    // A's second tab, on the other node: nobody hears of A again, and A's ack lists A once
    const a2 = await open(a, 1);
    const a2Joined = record(a2, "presence:joined");
    const a2Left = record(a2, "presence:left");
    expect(ids((await join(a2, id)).presence)).toEqual(ids([ref(a), ref(b)]));
    // marker: C joins on the same node as A's second tab; B hears C and nothing before it
    const cSeen = nextEvent(b1, "presence:joined", (p) => p.user.userId === c.id);
    const c1 = await open(c, 1);
    await join(c1, id);
    await cSeen;
    expect(bJoined.map((p) => p.user.userId)).toEqual([c.id]);

    // the first tab leaves: A is still there; the second disconnects: everyone else hears A left, once
    expect(await emitAck(a1, "session:leave", { sessionId: id })).toEqual({ ok: true });
    const aGone = [b1, c1].map((s) => nextEvent(s, "presence:left", (p) => p.userId === a.id));
    a2.close();
    for (const left of await Promise.all(aGone)) expect(left).toEqual({ sessionId: id, userId: a.id });
    // marker from A's first node: D joins there; by then any extra "left" from that node would have arrived
    const dSeen = nextEvent(b1, "presence:joined", (p) => p.user.userId === d.id);
    const d0 = await open(d, 0);
    expect(ids((await join(d0, id)).presence)).toEqual(ids([ref(b), ref(c), ref(d)]));
    await dSeen;
    expect(bLeft.filter((p) => p.userId === a.id)).toHaveLength(1);
    // A's own sockets never heard about A
    for (const seen of [a1Joined, a2Joined]) expect(seen.some((p) => p.user.userId === a.id)).toBe(false);
    for (const seen of [a1Left, a2Left]) expect(seen.some((p) => p.userId === a.id)).toBe(false);
  });

  it("awareness: relayed to the others (the sender's other tab too), throttled, in the join ack, gone when the user leaves", async () => {
    const { learners: users } = world;
    const id = await liveSession();
    const [a, b, c] = users;
    const a1 = await open(a, 0);
    const a2 = await open(a, 1);
    const b1 = await open(b, 1);
    for (const s of [a1, a2, b1]) await join(s, id);
    const selfSeen = record(a1, "awareness:update");
    const bSeen = record(b1, "awareness:update");

    const toB = nextEvent(b1, "awareness:update");
    const toTab = nextEvent(a2, "awareness:update");
    expect(await emitAck(a1, "awareness:update", { sessionId: id, state: { cursor: 5, name: "A" } })).toEqual({ ok: true });
    expect(await toB).toEqual({ sessionId: id, userId: a.id, clientId: null, state: { cursor: 5, name: "A" } });
    expect(await toTab).toEqual({ sessionId: id, userId: a.id, clientId: null, state: { cursor: 5, name: "A" } });

    // a burst is coalesced: every send is acked, the others end at the newest state with fewer events
    const acks = await Promise.all(
      Array.from({ length: 30 }, (_, i) => emitAck(a1, "awareness:update", { sessionId: id, state: { cursor: 100 + i } })),
    );
    expect(acks.every((r) => r.ok)).toBe(true);
    await eventually(() => bSeen.length > 0 && cursorOf(bSeen[bSeen.length - 1].state) === 129);
    expect(bSeen.length).toBeLessThan(31);
    expect(selfSeen).toHaveLength(0);

    // a late joiner on the other node sees A's last state at once
    const c1 = await open(c, 0);
    const late = await eventually(async () => {
      const ack = await emitOk(c1, "session:join", { sessionId: id });
      return ack.awareness.some((x) => cursorOf(x.state) === 129) ? ack : null;
    });
    expect(late!.awareness).toContainEqual({ userId: a.id, clientId: null, state: { cursor: 129 } });

    const tooBig = await emitAck(a1, "awareness:update", { sessionId: id, state: { blob: "x".repeat(1100) } });
    expect(tooBig).toMatchObject({ ok: false, error: { code: "PAYLOAD_TOO_LARGE" } });
    expect(await emitRaw(a1, "awareness:update", { sessionId: id })).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });

    // A leaves with both tabs: A's state is gone for the next joiner
    const aLeft = nextEvent(b1, "presence:left", (p) => p.userId === a.id);
    a1.close();
    expect(await emitAck(a2, "session:leave", { sessionId: id })).toEqual({ ok: true });
    await aLeft;
    const again = await emitOk(c1, "session:join", { sessionId: id });
    expect(again.awareness.some((x: { userId: string }) => x.userId === a.id)).toBe(false);
    expect(ids(again.presence)).toEqual(ids([ref(b), ref(c)]));
  });

  it("a removed member's sockets leave the session on both nodes: no more events, presence gone, writes refused", async () => {
    const { cluster, mentor, learners: users, cohortId } = world;
    const id = await liveSession();
    const [, , , victim, stayer] = users;
    // a second cohort the victim stays in, whose announcements serve as an ordered marker
    const other = await makeCohort(cluster.nodes[0], mentor, [victim]);
    const v0 = await open(victim, 0);
    const v1 = await open(victim, 1);
    const s1 = await open(stayer, 1);
    for (const s of [v0, v1, s1]) await join(s, id);
    const mentorSocket = await open(mentor, 0);
    // the victim's sockets have heard the mentor arrive (on node 1 through Redis) before they start listening
    const arrived = [v0, v1].map((s) => nextEvent(s, "presence:joined", (p) => p.user.userId === mentor.id));
    await join(mentorSocket, id);
    await Promise.all(arrived);
    const heard = [v0, v1].flatMap((s) =>
      (["chat:message", "awareness:update", "presence:joined", "presence:left"] as const).map((e) => record(s, e)),
    );

    const left = nextEvent(s1, "presence:left", (p) => p.userId === victim.id);
    const removed = await api(cluster.nodes[1], "DELETE", `/api/cohorts/${cohortId}/members/${victim.id}`, {
      token: mentor.accessToken,
    });
    expect(removed.status).toBe(204);
    expect(await left).toEqual({ sessionId: id, userId: victim.id });

    // the session keeps talking (from node 0); then a marker from node 0 that the victim still receives
    const sent = await emitAck(mentorSocket, "chat:send", {
      sessionId: id,
      body: "after removal",
      clientId: crypto.randomUUID(),
    });
    expect(sent.ok).toBe(true);
    expect(await emitAck(mentorSocket, "awareness:update", { sessionId: id, state: { cursor: 1 } })).toEqual({ ok: true });
    const markers = [v0, v1].map((s) => nextEvent(s, "notification", (n) => n.type === "announcement"));
    const announced = await api(cluster.nodes[0], "POST", `/api/cohorts/${other.id}/announcements`, {
      token: mentor.accessToken,
      body: { title: "marker", body: "ordered after the chat message" },
    });
    expect(announced.status).toBe(201);
    await Promise.all(markers);
    expect(heard.flat()).toEqual([]);

    for (const s of [v0, v1]) {
      expect(await emitAck(s, "chat:send", { sessionId: id, body: "x", clientId: crypto.randomUUID() })).toMatchObject({
        ok: false,
        error: { code: "FORBIDDEN" },
      });
      expect(await emitAck(s, "session:join", { sessionId: id })).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    }
    const ack = await emitOk(s1, "session:join", { sessionId: id });
    expect(ack.presence.some((p: { userId: string }) => p.userId === victim.id)).toBe(false);
  });
});
