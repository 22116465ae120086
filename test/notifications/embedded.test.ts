import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedInProcess } from "../support/in-process.js";
import { api, makeCohort, makeUser } from "../support/rest.js";
import { type ClientSocket, connect, emitOk, nextEvent } from "../support/sockets.js";

/** Announcements, inbox and sync on the embedded database (PGlite, one serialised session, no Redis). */
describe("notifications on the embedded database", () => {
  let node: Awaited<ReturnType<typeof startEmbeddedInProcess>>;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    node = await startEmbeddedInProcess();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await node?.close();
  });

  it("announces, delivers, lists, syncs and marks read", async () => {
    expect((await api(node, "GET", "/readyz")).body).toEqual({ db: "ok", redis: "none" });
    const mentor = await makeUser(node, "mentor");
    const [a, b] = await Promise.all([makeUser(node), makeUser(node)]);
    const cohort = await makeCohort(node, mentor, [a, b]);
    const socketA = await connect(node, a.accessToken);
    const socketA2 = await connect(node, a.accessToken);
    sockets.push(socketA, socketA2);

    const live = nextEvent(socketA, "notification");
    const posted = await Promise.all(
      ["first", "second", "third"].map((title) =>
        api(node, "POST", `/api/cohorts/${cohort.id}/announcements`, { token: mentor.accessToken, body: { title, body: title } }),
      ),
    );
    expect(posted.map((p) => p.status)).toEqual([201, 201, 201]);
    expect((await live).type).toBe("announcement");

    const list = (await api(node, "GET", "/api/cohorts/" + cohort.id + "/announcements?limit=2", { token: b.accessToken })).body;
    expect(list.announcements).toHaveLength(2);
    expect(list.nextCursor).toBe(list.announcements[1].id);

    const inbox = (await api(node, "GET", "/api/notifications?unread=true", { token: a.accessToken })).body;
    expect(inbox.items).toHaveLength(3);
    expect((await api(node, "GET", "/api/notifications/unread-count", { token: a.accessToken })).body).toEqual({ count: 3 });

    const synced = await emitOk(socketA, "notifications:sync", { after: inbox.items[0].id });
    expect(synced.items.map((i: { id: string }) => i.id)).toEqual(inbox.items.slice(1).map((i: { id: string }) => i.id));

    const byIds = nextEvent(socketA2, "notification:read");
    expect(
      (await api(node, "POST", "/api/notifications/read", { token: a.accessToken, body: { ids: [inbox.items[0].id] } })).status,
    ).toBe(204);
    expect(await byIds).toEqual({ ids: [inbox.items[0].id] });
    const upTo = nextEvent(socketA2, "notification:read");
    expect(
      (await api(node, "POST", "/api/notifications/read", { token: a.accessToken, body: { upTo: inbox.items[1].id } })).status,
    ).toBe(204);
    expect(await upTo).toEqual({ upTo: inbox.items[1].id });
    expect((await api(node, "GET", "/api/notifications/unread-count", { token: a.accessToken })).body).toEqual({ count: 1 });
    expect((await emitOk(socketA, "notifications:sync", {})).items.map((i) => i.id)).toEqual([inbox.items[2].id]);
    // b's inbox is untouched
    expect((await api(node, "GET", "/api/notifications/unread-count", { token: b.accessToken })).body).toEqual({ count: 3 });
  });
});
