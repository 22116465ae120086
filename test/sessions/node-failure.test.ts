import { afterAll, describe, expect, it } from "vitest";
import { startProcessCluster } from "../support/clusters.js";
import { liveSessionClusterForFile } from "../support/file-fixtures.js";
import { api } from "../support/rest.js";
import { emitAck, emitOk, nextEvent, OpenedSockets } from "../support/sockets.js";
import { eventually } from "../support/time.js";
import { DocClient } from "../support/yjs.js";

describe("a node killed with SIGKILL", () => {
  // the survivor registers on the first node, the ghost on the second
  const world = liveSessionClusterForFile(startProcessCluster, 2, {
    learners: 2,
    learnersOn: [0, 1],
    session: { title: "Crash", language: "c" },
  });
  const sockets = new OpenedSockets();
  afterAll(() => sockets.closeAll());

  it(
    "its users get presence:left from the survivor within 30 s, and the document keeps working",
    { timeout: 60_000 },
    async () => {
      const { cluster, mentor, sessionId } = world;
      const [survivor, ghost] = world.learners;
      const here = new DocClient(sessionId);
      await here.join(await sockets.connect(cluster.nodes[0], survivor.accessToken));
      // the ghost has two tabs on the node that dies
      const ghostTabs = [new DocClient(sessionId), new DocClient(sessionId)];
      for (const tab of ghostTabs) {
        const s = await sockets.connect(cluster.nodes[1], ghost.accessToken);
        expect((await tab.join(s)).ok).toBe(true);
      }
      expect(await emitAck(ghostTabs[0].socket, "awareness:update", { sessionId, state: { cursor: 3 } })).toEqual({ ok: true });
      expect((await ghostTabs[0].type("g")).ok).toBe(true);
      // the relay follows the ack; wait for it (a relay lost with its node is what doc:sync recovers)
      await eventually(() => here.text() === "g");

      const left = nextEvent(here.socket, "presence:left", (p) => p.userId === ghost.id, 30_000);
      await cluster.nodes[1].stop("SIGKILL");
      expect(await left).toEqual({ sessionId, userId: ghost.id });

      const mentorSocket = await sockets.connect(cluster.nodes[0], mentor.accessToken);
      const ack = await emitOk(mentorSocket, "session:join", { sessionId });
      expect(ack.presence.map((p: { userId: string }) => p.userId).sort()).toEqual([mentor.id, survivor.id].sort());
      expect(ack.awareness.some((a: { userId: string }) => a.userId === ghost.id)).toBe(false);
      expect((await here.type("s")).ok).toBe(true);
      const doc = await api(cluster.nodes[0], "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken });
      expect(doc.body.text).toBe(here.text());
      expect([...doc.body.text].sort().join("")).toBe("gs");
    },
  );
});
