import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import type { TestUser } from "../support/rest.js";
import { makeMentoredCohort, startLiveSession } from "../support/sessions.js";
import { emitOk, OpenedSockets, record } from "../support/sockets.js";
import { eventually } from "../support/time.js";
import { DocClient } from "../support/yjs.js";

/**
 * Binary broadcasts (`doc:update`) are written to WebSocket receivers as pre-built frames (src/realtime/binary-frames.ts).
 * Every kind of receiver must still get exactly the bytes that were sent: WebSocket only, long-polling only, and
 * the client's default (polling, then the upgrade), on the writer's node and on the other one; frame lengths in
 * each of WebSocket's three length encodings (up to 125 bytes, 16-bit, 64-bit).
 */
describe("binary broadcasts on every transport", () => {
  let cluster: Cluster;
  let mentor: TestUser;
  let learners: TestUser[];
  let sessionId: string;
  const sockets = new OpenedSockets();

  beforeAll(async () => {
    cluster = await startCluster(2, { env: { SOCKET_RATE_LIMIT: "0" } });
    const cohort = await makeMentoredCohort(cluster.nodes[0], 6);
    ({ mentor, learners } = cohort);
    sessionId = await startLiveSession(cluster.nodes[0], mentor, cohort.cohortId, { title: "Frames", language: "typescript" });
  });
  afterAll(async () => {
    sockets.closeAll();
    await cluster?.close();
  });

  it("every receiver gets each update's exact bytes, in order, with its author", async () => {
    const receivers: { name: string; node: number; transports?: ("polling" | "websocket")[] }[] = [
      { name: "websocket, same node", node: 0, transports: ["websocket"] },
      { name: "polling, same node", node: 0, transports: ["polling"] },
      { name: "default, same node", node: 0 },
      { name: "websocket, other node", node: 1, transports: ["websocket"] },
      { name: "polling, other node", node: 1, transports: ["polling"] },
      { name: "default, other node", node: 1 },
    ];
    const joined = await Promise.all(
      receivers.map(async (r, i) => {
        const socket = await sockets.connect(cluster.nodes[r.node], learners[i].accessToken, { transports: r.transports });
        await emitOk(socket, "session:join", { sessionId });
        return { ...r, socket, seen: record(socket, "doc:update") };
      }),
    );
    // the default clients have moved to WebSocket before the updates go out
    await eventually(() =>
      expect(joined.filter((r) => !r.transports).map((r) => r.socket.io.engine.transport.name)).toEqual([
        "websocket",
        "websocket",
      ]),
    );

    const writer = new DocClient(sessionId);
    const writerSocket = await sockets.connect(cluster.nodes[0], mentor.accessToken);
    await writer.join(writerSocket);
    const sent: Uint8Array[] = [];
    for (const size of [1, 40, 200, 5_000, 70_000, 3, 120_000]) {
      const update = writer.edit((t) => t.insert(0, "x".repeat(size)));
      await emitOk(writerSocket, "doc:update", { sessionId, update });
      sent.push(update);
    }
    expect(sent.some((u) => u.byteLength <= 125)).toBe(true);
    expect(sent.some((u) => u.byteLength > 125 && u.byteLength < 65_536)).toBe(true);
    expect(sent.some((u) => u.byteLength >= 65_536)).toBe(true);

    for (const r of joined) {
      await eventually(() => expect(r.seen.length, r.name).toBe(sent.length));
      expect(
        r.seen.map((p) => Buffer.from(new Uint8Array(p.update)).toString("hex")),
        r.name,
      ).toEqual(sent.map((u) => Buffer.from(u).toString("hex")));
      expect(new Set(r.seen.map((p) => `${p.sessionId} ${p.userId}`)), r.name).toEqual(new Set([`${sessionId} ${mentor.id}`]));
    }
  });
});
