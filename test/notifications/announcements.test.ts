import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { adminOf, api, makeCohort, makeUser, newId, type TestUser } from "../support/rest.js";
import { type ClientSocket, connect, emitAck, emitOk, emitRaw, nextEvent, okAck, record } from "../support/sockets.js";
import { eventually, sleep } from "../support/time.js";

/** Long enough after the last expected event for a duplicate (or a stray delivery) to have arrived. */
const SETTLE_MS = 1000;

describe("cohort announcements across three nodes", () => {
  let cluster: Cluster;
  let mentor: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let outsider: TestUser;
  let cohort: { id: string };
  const sockets: ClientSocket[] = [];
  const open = async (node: number, user: TestUser) => {
    const s = await connect(cluster.nodes[node]!, user.accessToken);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    cluster = await startCluster(3);
    const n0 = cluster.nodes[0]!;
    [mentor, alice, bob, carol, outsider] = await Promise.all([
      makeUser(n0, "mentor", "Mentor Mia"),
      makeUser(n0, "learner", "Alice"),
      makeUser(n0, "learner", "Bob"),
      makeUser(n0, "learner", "Carol"),
      makeUser(n0, "learner", "Otto"),
    ]);
    cohort = await makeCohort(n0, mentor, [alice, bob, carol]);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  it("reaches every member socket on every node exactly once, never the sender or outsiders; offline members catch up", async () => {
    const n2 = cluster.nodes[2]!;
    const mentorSocket = await open(0, mentor);
    const alice0 = await open(0, alice);
    const alice1 = await open(1, alice);
    const bob1 = await open(1, bob);
    const bob2 = await open(2, bob);
    const outsider2 = await open(2, outsider);
    const seen = new Map<ClientSocket, unknown[]>(
      [mentorSocket, alice0, alice1, bob1, bob2, outsider2].map((s) => [s, record(s, "notification")]),
    );

    const res = await api(n2, "POST", `/api/cohorts/${cohort.id}/announcements`, {
      token: mentor.accessToken,
      body: { title: "Kick-off", body: "Welcome to the cohort!", extra: "ignored" },
    });
    expect(res.status).toBe(201);
    const announcement = res.body.announcement;
    expect(announcement).toEqual({
      id: expect.any(String),
      cohortId: cohort.id,
      author: { id: mentor.id, displayName: "Mentor Mia" },
      title: "Kick-off",
      body: "Welcome to the cohort!",
      createdAt: expect.any(String),
    });
    expect(new Date(announcement.createdAt).toISOString()).toBe(announcement.createdAt);

    const members = [alice0, alice1, bob1, bob2];
    await eventually(() => members.every((s) => seen.get(s)!.length >= 1));
    await sleep(SETTLE_MS);
    for (const s of members) expect(seen.get(s)).toHaveLength(1);
    expect(seen.get(mentorSocket)).toHaveLength(0);
    expect(seen.get(outsider2)).toHaveLength(0);

    const note = seen.get(alice0)![0] as Record<string, unknown>;
    expect(note).toEqual({
      id: expect.any(String),
      type: "announcement",
      payload: {
        announcementId: announcement.id,
        cohortId: cohort.id,
        title: "Kick-off",
        author: { id: mentor.id, displayName: "Mentor Mia" },
      },
      createdAt: expect.any(String),
      readAt: null,
    });
    // both of Alice's sockets got the same notification; Bob's is another row
    expect(seen.get(alice1)![0]).toEqual(note);
    expect((seen.get(bob1)![0] as { id: string }).id).not.toBe(note.id);

    // one row per member except the sender
    const rows = await sql<{ user_id: string }>(
      cluster.dbUrl,
      "SELECT user_id FROM notifications WHERE payload->>'announcementId' = $1",
      [announcement.id],
    );
    expect(rows.map((r) => r.user_id).sort()).toEqual([alice.id, bob.id, carol.id].sort());

    // Carol was offline: she finds it with notifications:sync after connecting
    const carol1 = await open(1, carol);
    const synced = okAck(await emitAck(carol1, "notifications:sync", {}));
    expect(synced).toMatchObject({ ok: true, nextCursor: null });
    expect(synced.items).toEqual([
      expect.objectContaining({
        type: "announcement",
        readAt: null,
        payload: expect.objectContaining({ announcementId: announcement.id }),
      }),
    ]);
    const again = await emitAck(carol1, "notifications:sync", { after: synced.items[0].id });
    expect(again).toEqual({ ok: true, items: [], nextCursor: null });
    // an ack-only sync (no payload) is the same as {}
    const bare = await emitRaw(carol1, "notifications:sync");
    expect(bare).toMatchObject({ ok: true, items: synced.items });
  });

  it("read marks reach the user's other sockets on another node and the unread count follows", async () => {
    const [n0, n1] = cluster.nodes;
    const alice0 = await open(0, alice);
    const alice1 = await open(1, alice);
    const bob1 = await open(1, bob);
    const bobReads = record(bob1, "notification:read");

    const count = async (user: TestUser) =>
      (await api(n1!, "GET", "/api/notifications/unread-count", { token: user.accessToken })).body.count;
    const aliceBefore = await count(alice);
    const bobBefore = await count(bob);
    expect(aliceBefore).toBeGreaterThanOrEqual(1);

    const arriving = Promise.all([nextEvent(alice0, "notification"), nextEvent(alice1, "notification")]);
    const posted = await api(n0!, "POST", `/api/cohorts/${cohort.id}/announcements`, {
      token: mentor.accessToken,
      body: { title: "Homework", body: "Read chapter 3" },
    });
    expect(posted.status).toBe(201);
    const [live] = await arriving;
    expect(await count(alice)).toBe(aliceBefore + 1);
    await eventually(async () => (await count(bob)) === bobBefore + 1);

    const bobNote = (await api(n0!, "GET", "/api/notifications?unread=true", { token: bob.accessToken })).body.items.at(-1);
    const readOnOther = nextEvent(alice1, "notification:read");
    const read = await api(n0!, "POST", "/api/notifications/read", {
      token: alice.accessToken,
      body: { ids: [live.id, bobNote.id, newId()] },
    });
    expect(read.status).toBe(204);
    expect(await readOnOther).toEqual({ ids: [live.id] });
    expect(await count(alice)).toBe(aliceBefore);
    // Bob's notification was not Alice's to mark
    expect(await count(bob)).toBe(bobBefore + 1);
    await sleep(300);
    expect(bobReads).toHaveLength(0);

    const listed = await api(n1!, "GET", "/api/notifications", { token: alice.accessToken });
    expect(listed.body.items.find((i: { id: string }) => i.id === live.id).readAt).toEqual(expect.any(String));
  });

  it("marks everything up to a notification, inclusive, by (createdAt, id) order", async () => {
    const [n0, n1] = cluster.nodes;
    const bob2 = await open(2, bob);
    for (const title of ["one", "two", "three"]) {
      const r = await api(n0!, "POST", `/api/cohorts/${cohort.id}/announcements`, {
        token: mentor.accessToken,
        body: { title, body: title },
      });
      expect(r.status).toBe(201);
    }
    const unread = (await api(n1!, "GET", "/api/notifications?unread=true&limit=100", { token: bob.accessToken })).body.items;
    const titles = unread.map((i: { payload: { title: string } }) => i.payload.title);
    expect(titles.slice(-3)).toEqual(["one", "two", "three"]);
    const two = unread.at(-2);

    const marked = nextEvent(bob2, "notification:read");
    // an id in upper-case hex is the same id: the event names it as the server wrote it
    const res = await api(n1!, "POST", "/api/notifications/read", {
      token: bob.accessToken,
      body: { upTo: two.id.toUpperCase() },
    });
    expect(res.status).toBe(204);
    expect(await marked).toEqual({ upTo: two.id });
    const left = (await api(n0!, "GET", "/api/notifications?unread=true", { token: bob.accessToken })).body;
    expect(left.items.map((i: { payload: { title: string } }) => i.payload.title)).toEqual(["three"]);
    expect((await api(n0!, "GET", "/api/notifications/unread-count", { token: bob.accessToken })).body).toEqual({ count: 1 });
    // sync without a cursor returns the unread ones only
    expect((await emitOk(bob2, "notifications:sync", {})).items.map((i) => i.id)).toEqual([left.items[0].id]);

    // someone else's notification as upTo is unknown to the caller
    const other = await api(n0!, "POST", "/api/notifications/read", { token: alice.accessToken, body: { upTo: two.id } });
    expect(other.status).toBe(404);
    for (const bad of [{}, { upTo: "nope" }, { ids: "x" }, { ids: ["x"] }, { ids: [two.id], upTo: two.id }]) {
      const r = await api(n0!, "POST", "/api/notifications/read", { token: bob.accessToken, body: bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe("INVALID_PAYLOAD");
    }
    expect((await api(n0!, "POST", "/api/notifications/read", { body: { upTo: two.id } })).status).toBe(401);
  });

  it("lists notifications oldest first with a keyset cursor and validates its parameters", async () => {
    const n1 = cluster.nodes[1]!;
    const all = (await api(n1, "GET", "/api/notifications?limit=100", { token: bob.accessToken })).body;
    expect(all.nextCursor).toBeNull();
    expect(all.items.length).toBeGreaterThanOrEqual(5);
    const order = all.items.map((i: { createdAt: string }) => i.createdAt);
    expect([...order].sort()).toEqual(order);

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/api/notifications?limit=2${cursor ? `&after=${cursor}` : ""}`;
      const page = (await api(n1, "GET", path, { token: bob.accessToken })).body;
      expect(page.items.length).toBeLessThanOrEqual(2);
      pages.push(...page.items.map((i: { id: string }) => i.id));
      cursor = page.nextCursor;
      if (cursor) expect(cursor).toBe(page.items.at(-1).id);
    } while (cursor);
    expect(pages).toEqual(all.items.map((i: { id: string }) => i.id));

    for (const q of ["after=abc", "limit=0", "limit=101", "limit=x", "unread=maybe"]) {
      const r = await api(n1, "GET", `/api/notifications?${q}`, { token: bob.accessToken });
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe("INVALID_PAYLOAD");
    }
    expect((await api(n1, "GET", `/api/notifications?after=${newId()}`, { token: bob.accessToken })).status).toBe(404);
    // another user's notification is not a cursor of mine
    expect((await api(n1, "GET", `/api/notifications?after=${all.items[0].id}`, { token: alice.accessToken })).status).toBe(404);
    expect((await api(n1, "GET", "/api/notifications")).status).toBe(401);

    const socket = await open(1, bob);
    expect(await emitAck(socket, "notifications:sync", { after: "abc" })).toMatchObject({
      ok: false,
      error: { code: "INVALID_PAYLOAD" },
    });
    expect(await emitAck(socket, "notifications:sync", { after: newId() })).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    const synced = await emitOk(socket, "notifications:sync", { after: all.items[0].id });
    expect(synced.items.map((i: { id: string }) => i.id)).toEqual(all.items.slice(1).map((i: { id: string }) => i.id));
    const upper = await emitOk(socket, "notifications:sync", { after: all.items[0].id.toUpperCase() });
    expect(upper.items.map((i: { id: string }) => i.id)).toEqual(synced.items.map((i: { id: string }) => i.id));
  });

  it("lists announcements to members, paged, and only mentors (or admins) post", async () => {
    const n0 = cluster.nodes[0]!;
    const path = `/api/cohorts/${cohort.id}/announcements`;
    const all = (await api(n0, "GET", `${path}?limit=100`, { token: alice.accessToken })).body;
    expect(all.nextCursor).toBeNull();
    expect(all.announcements.map((a: { title: string }) => a.title)).toEqual(["Kick-off", "Homework", "one", "two", "three"]);
    const first = (await api(n0, "GET", `${path}?limit=2`, { token: alice.accessToken })).body;
    expect(first.announcements).toHaveLength(2);
    expect(first.nextCursor).toBe(first.announcements[1].id);
    const rest = (await api(n0, "GET", `${path}?after=${first.nextCursor}`, { token: alice.accessToken })).body;
    expect(rest.announcements.map((a: { title: string }) => a.title)).toEqual(["one", "two", "three"]);
    expect(rest.nextCursor).toBeNull();

    expect((await api(n0, "GET", path, { token: outsider.accessToken })).status).toBe(403);
    expect((await api(n0, "GET", `/api/cohorts/${newId()}/announcements`, { token: alice.accessToken })).status).toBe(404);
    expect((await api(n0, "GET", `/api/cohorts/nope/announcements`, { token: alice.accessToken })).status).toBe(400);
    expect((await api(n0, "GET", `${path}?after=${newId()}`, { token: alice.accessToken })).status).toBe(404);

    const post = (user: TestUser, body: unknown, p = path) => api(n0, "POST", p, { token: user.accessToken, body });
    expect((await post(alice, { title: "hi", body: "there" })).status).toBe(403);
    expect((await post(outsider, { title: "hi", body: "there" })).status).toBe(403);
    expect((await post(mentor, { title: "hi", body: "there" }, `/api/cohorts/${newId()}/announcements`)).status).toBe(404);
    for (const bad of [
      { title: "", body: "x" },
      { title: "x".repeat(201), body: "x" },
      { title: "x", body: "" },
      { title: "x", body: "y".repeat(10_001) },
      { title: 5, body: "x" },
      { title: "x", body: "a\u0000" },
      {},
    ]) {
      const r = await post(mentor, bad);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("INVALID_PAYLOAD");
    }
    // lengths count characters, not bytes
    expect((await post(mentor, { title: "é".repeat(200), body: "🙂".repeat(10_000) })).status).toBe(201);

    const admin = await adminOf(n0);
    const byAdmin = await post(admin, { title: "From the admin", body: "hello" });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.announcement.author).toEqual({ id: admin.id, displayName: "Admin" });
  });

  it("a removed member's sockets on both nodes stop receiving the cohort's announcements", async () => {
    const [n0, n1, n2] = cluster.nodes;
    const carol0 = await open(0, carol);
    const carol1 = await open(1, carol);
    const alice2 = await open(2, alice);
    const carolSeen = [record(carol0, "notification"), record(carol1, "notification")];

    const before = await api(n2!, "POST", `/api/cohorts/${cohort.id}/announcements`, {
      token: mentor.accessToken,
      body: { title: "before", body: "x" },
    });
    expect(before.status).toBe(201);
    await eventually(() => carolSeen.every((s) => s.length === 1));

    expect(
      (await api(n1!, "DELETE", `/api/cohorts/${cohort.id}/members/${carol.id}`, { token: mentor.accessToken })).status,
    ).toBe(204);
    const aliceGets = nextEvent(alice2, "notification", (n) => n.payload.title === "after");
    const after = await api(n0!, "POST", `/api/cohorts/${cohort.id}/announcements`, {
      token: mentor.accessToken,
      body: { title: "after", body: "x" },
    });
    expect(after.status).toBe(201);
    await aliceGets;
    await sleep(SETTLE_MS);
    expect(carolSeen.map((s) => s.length)).toEqual([1, 1]);
    const synced = await emitOk(carol0, "notifications:sync", {});
    expect(synced.items.some((i) => i.payload.title === "after")).toBe(false);
    // she no longer reads the cohort's announcements either
    expect((await api(n2!, "GET", `/api/cohorts/${cohort.id}/announcements`, { token: carol.accessToken })).status).toBe(403);
  });

  it("an announcement to a cohort of 1,000 members is one ordinary request", async () => {
    const n0 = cluster.nodes[0]!;
    const big = await makeCohort(n0, mentor, [alice]);
    // members inserted directly: registering 1,000 accounts through the API would only test password hashing
    await sql(
      cluster.dbUrl,
      `WITH u AS (
         INSERT INTO users (email, password_hash, display_name)
         SELECT 'bulk-' || g || '-' || $2 || '@cohort.test', 'x', 'Bulk ' || g FROM generate_series(1, 999) g
         RETURNING id)
       INSERT INTO memberships (cohort_id, user_id, role) SELECT $1, id, 'learner' FROM u`,
      [big.id, big.id.slice(0, 8)],
    );
    const alice1 = await open(1, alice);
    const got = record(alice1, "notification");
    const res = await api(n0, "POST", `/api/cohorts/${big.id}/announcements`, {
      token: mentor.accessToken,
      body: { title: "To all", body: "1,000 of you" },
    });
    expect(res.status).toBe(201);
    const [{ count }] = await sql<{ count: number }>(
      cluster.dbUrl,
      "SELECT count(*)::int AS count FROM notifications WHERE payload->>'announcementId' = $1",
      [res.body.announcement.id],
    );
    expect(count).toBe(1000);
    await eventually(() => got.length === 1);
    await sleep(SETTLE_MS);
    expect(got).toHaveLength(1);
  });
});
