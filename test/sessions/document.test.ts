import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { type Cluster, startCluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, type TestUser } from "../support/rest.js";
import { makeMentoredCohort, startLiveSession } from "../support/sessions.js";
import { emitAck, emitRaw, okAck, OpenedSockets } from "../support/sockets.js";
import { eventually } from "../support/time.js";
import { DocClient } from "../support/yjs.js";

describe("shared document across two nodes", () => {
  let cluster: Cluster;
  let mentor: TestUser;
  let learners: TestUser[];
  let cohortId: string;
  const sockets = new OpenedSockets();

  const open = (user: TestUser, node = 0) => sockets.connect(cluster.nodes[node], user.accessToken);
  /** Created through the first node, started through the second. */
  const newLiveSession = (initialCode?: string) =>
    startLiveSession(
      cluster.nodes[0],
      mentor,
      cohortId,
      { title: "Pairing", language: "typescript", ...(initialCode === undefined ? {} : { initialCode }) },
      cluster.nodes[1],
    );
  const documentText = async (sessionId: string, node = 0) => {
    const res = await api(cluster.nodes[node], "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken });
    expect(res.status).toBe(200);
    return res.body.text as string;
  };
  const logRows = async (sessionId: string) =>
    Number(
      (
        await sql<{ n: number }>(cluster.dbUrl, `SELECT count(*)::int AS n FROM doc_updates WHERE session_id = $1`, [sessionId])
      )[0].n,
    );

  beforeAll(async () => {
    cluster = await startCluster(2, { env: { SOCKET_RATE_LIMIT: "0" } });
    ({ mentor, learners, cohortId } = await makeMentoredCohort(cluster.nodes[0], 6, cluster.nodes));
  });
  afterAll(async () => {
    sockets.closeAll();
    await cluster?.close();
  });

  it("initialCode is the document's first stored update", async () => {
    const id = await newLiveSession("def main():\n    pass\n");
    expect(await documentText(id, 1)).toBe("def main():\n    pass\n");
    expect(await logRows(id)).toBe(1);
    const res = await api(cluster.nodes[0], "GET", `/api/sessions/${id}/document`, { token: learners[0].accessToken });
    expect(res.body.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("six clients on two nodes type concurrently and converge to the stored text", async () => {
    const id = await newLiveSession("// start\n");
    const clients = await Promise.all(
      learners.map(async (user, i) => {
        const client = new DocClient(id);
        const ack = await client.join(await open(user, i % 2));
        expect(ack.ok).toBe(true);
        expect(client.text()).toBe("// start\n");
        return client;
      }),
    );
    const perClient = 25;
    await Promise.all(
      clients.map(async (client, i) => {
        for (let n = 0; n < perClient; n++) {
          const ack = await client.type(String.fromCharCode(65 + i));
          expect(ack).toEqual({ ok: true });
        }
      }),
    );
    const expectedLength = "// start\n".length + clients.length * perClient;
    const stored = (await eventually(async () => {
      const text = await documentText(id, 1);
      return clients.every((c) => c.text() === text) ? text : null;
    })) as string;
    expect(stored).toHaveLength(expectedLength);
    for (const [i, c] of clients.entries()) {
      expect([...stored].filter((ch) => ch === String.fromCharCode(65 + i))).toHaveLength(perClient);
      // everyone received every other client's updates (the sender is not echoed)
      expect(c.received).toBe((clients.length - 1) * perClient);
    }
  });

  it("a client disconnected during edits catches up with doc:sync and the server gets its offline edits", async () => {
    const id = await newLiveSession("base\n");
    const online = new DocClient(id);
    await online.join(await open(learners[0], 0));
    const roamer = new DocClient(id);
    await roamer.join(await open(learners[1], 1));
    await roamer.type("r1 ", 0);
    await eventually(() => online.text() === roamer.text());

    roamer.socket.close();
    for (let n = 0; n < 10; n++) expect((await online.type(`o${n} `, online.text().length)).ok).toBe(true);
    roamer.edit((t) => t.insert(t.length, "offline-edit"));
    expect(roamer.text()).not.toBe(online.text());

    // back on the other node: join without using the join state, then catch up by state vector alone
    const ack = await roamer.join(await open(learners[1], 0), { applyState: false });
    expect(ack.ok).toBe(true);
    await roamer.sync();
    const stored = (await eventually(async () => {
      const text = await documentText(id);
      return text === roamer.text() && text === online.text() ? text : null;
    })) as string;
    expect(stored).toContain("offline-edit");
    for (let n = 0; n < 10; n++) expect(stored).toContain(`o${n} `);

    // a synced client asks again: nothing is missing
    const again = okAck(
      await emitAck(roamer.socket, "doc:sync", { sessionId: id, stateVector: Y.encodeStateVector(roamer.doc) }),
    );
    expect(again.ok).toBe(true);
    expect(Y.decodeUpdate(new Uint8Array(again.update)).structs).toHaveLength(0);
  });

  it("refuses malformed, oversize and non-binary updates and stores nothing", async () => {
    const id = await newLiveSession("x");
    const client = new DocClient(id);
    await client.join(await open(learners[2], 1));
    const before = await logRows(id);

    const garbage = await emitAck(client.socket, "doc:update", { sessionId: id, update: Buffer.from("definitely not yjs") });
    expect(garbage).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    const truncated = client.edit((t) => t.insert(0, "hello"));
    const cut = await emitAck(client.socket, "doc:update", {
      sessionId: id,
      update: truncated.subarray(0, truncated.length - 3),
    });
    expect(cut).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    const text = await emitRaw(client.socket, "doc:update", { sessionId: id, update: "a string" });
    expect(text).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    const missing = await emitRaw(client.socket, "doc:update", { sessionId: id });
    expect(missing).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    const big = await emitAck(client.socket, "doc:update", { sessionId: id, update: new Uint8Array(256 * 1024 + 1) });
    expect(big).toMatchObject({ ok: false, error: { code: "PAYLOAD_TOO_LARGE" } });
    const badId = await emitAck(client.socket, "doc:update", { sessionId: "nope", update: truncated });
    expect(badId).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    const badSv = await emitAck(client.socket, "doc:sync", { sessionId: id, stateVector: Buffer.from([7, 7, 7]) });
    expect(badSv).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expect(await logRows(id)).toBe(before);
    expect(await documentText(id)).toBe("x");

    // a large valid update within the limit is accepted
    const large = new DocClient(id);
    await large.join(client.socket);
    const update = large.edit((t) => t.insert(0, "y".repeat(200 * 1024)));
    expect(update.byteLength).toBeLessThan(256 * 1024);
    expect(await emitAck(client.socket, "doc:update", { sessionId: id, update })).toEqual({ ok: true });
    expect(await logRows(id)).toBe(before + 1);
    expect((await documentText(id)).length).toBe(200 * 1024 + 1);
  });

  it("refuses updates that decode but cannot be applied, so the document stays readable", async () => {
    const id = await newLiveSession("x");
    const client = new DocClient(id);
    const joinAck = okAck(await client.join(await open(learners[3], 0)));
    const initial = Y.decodeUpdate(new Uint8Array(joinAck.state)).structs[0].id;
    const before = await logRows(id);
    const varuint = (n: number) => {
      const out: number[] = [];
      for (; n > 0x7f; n = Math.floor(n / 128)) out.push(0x80 | (n & 0x7f));
      out.push(n);
      return out;
    };
    const other = 12345;
    // client `other` inserts a Y.Text after the initial code, then text whose parent is its own future clock 30:
    // alone it waits as pending; with the session's document it would throw on every later load
    const futureParent = new Uint8Array([
      ...[1, 2, ...varuint(other), 0],
      ...[0x87, ...varuint(initial.client), ...varuint(initial.clock), 2],
      ...[4, 0, ...varuint(other), 30, 2, 0x61, 0x62],
      0,
    ]);
    expect(() => Y.decodeUpdate(futureParent)).not.toThrow();
    // one that decodes but throws when applied even to an empty document
    const unappliable = Buffer.from(
      "02018b83beba0a00040104636f64650b68656c6c6f20276f726c6403b389cba005002801016d016b017601016175027d017d02030103617272" +
        "02010288b389cba00524027701737d0300",
      "hex",
    );
    expect(() => Y.decodeUpdate(unappliable)).not.toThrow();
    for (const update of [futureParent, unappliable]) {
      expect(await emitAck(client.socket, "doc:update", { sessionId: id, update })).toMatchObject({
        ok: false,
        error: { code: "INVALID_PAYLOAD" },
      });
    }
    expect(await logRows(id)).toBe(before);
    expect(await documentText(id)).toBe("x");
    await client.type("y", 1);
    await client.sync();
    expect(await documentText(id)).toBe("xy");
  });
});
