import { afterAll, describe, expect, it } from "vitest";
import { startProcessCluster } from "../support/clusters.js";
import { liveSessionClusterForFile } from "../support/file-fixtures.js";
import { api } from "../support/rest.js";
import { OpenedSockets } from "../support/sockets.js";
import { DocClient } from "../support/yjs.js";

describe("restart of every node", () => {
  const world = liveSessionClusterForFile(startProcessCluster, 2, {
    // compactions at once: the restart then also reads a snapshot
    cluster: { env: { SOCKET_RATE_LIMIT: "0", DOC_COMPACTION_DELAY_MS: "0" } },
    learners: 4,
    learnersOn: [0, 1],
    session: { title: "Durable", language: "ts", initialCode: "start\n" },
  });
  const sockets = new OpenedSockets();
  afterAll(() => sockets.closeAll());

  it("keeps every acknowledged update, including those acked while the nodes were stopping", { timeout: 90_000 }, async () => {
    const { cluster, mentor, learners, sessionId } = world;
    const clients = await Promise.all(
      learners.map(async (user, i) => {
        const c = new DocClient(sessionId);
        const s = await sockets.connect(cluster.nodes[i % 2], user.accessToken);
        expect((await c.join(s)).ok).toBe(true);
        return c;
      }),
    );
    // every update inserts one token no other update uses, so each acknowledged one can be looked for
    const acked: string[] = [];
    let next = 0x4e00;
    let stopping = false;
    const typing = clients.map(async (c) => {
      while (c.socket.connected) {
        const token = String.fromCodePoint(next++);
        const ack = await c.type(token).catch(() => ({ ok: false }));
        if (ack.ok) acked.push(token);
        else if (stopping) break;
      }
    });
    // past the compaction threshold, so the restart also reads a snapshot
    while (acked.length < 250) await new Promise((r) => setTimeout(r, 20));
    stopping = true;
    const codes = await Promise.all(cluster.nodes.map((n) => n.stop("SIGTERM")));
    expect(codes).toEqual([0, 0]);
    await Promise.all(typing);
    expect(acked.length).toBeGreaterThanOrEqual(250);

    const fresh = [await cluster.addNode(), await cluster.addNode()];
    for (const node of fresh) {
      const doc = await api(node, "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken });
      expect(doc.status).toBe(200);
      const text: string = doc.body.text;
      // the initial code survives too (typing went in at random places, so compare letters)
      expect(
        [...text]
          .filter((ch) => "start\n".includes(ch))
          .sort()
          .join(""),
      ).toBe([..."start\n"].sort().join(""));
      const present = new Set([...text]);
      expect(acked.filter((t) => !present.has(t))).toEqual([]);
    }
    // a client of the new nodes gets the same document
    const reader = new DocClient(sessionId);
    const s = await sockets.connect(fresh[1], learners[0].accessToken);
    await reader.join(s);
    const doc = await api(fresh[0], "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken });
    expect(reader.text()).toBe(doc.body.text);
  });
});
