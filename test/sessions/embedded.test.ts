/** One node on the embedded PGlite with the in-memory engine: the whole session flow, and a restart. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratedDataDir } from "../support/databases.js";
import { embeddedEnv, type ProcessNode, startNode } from "../support/processes.js";
import { api, type TestUser } from "../support/rest.js";
import { makeMentoredCohort, startLiveSession } from "../support/sessions.js";
import { emitOk, nextEvent, okAck, OpenedSockets } from "../support/sockets.js";
import { eventually } from "../support/time.js";
import { DocClient } from "../support/yjs.js";

describe("live sessions on one embedded node", () => {
  let dir: Awaited<ReturnType<typeof migratedDataDir>>;
  let env: ReturnType<typeof embeddedEnv>;
  let node: ProcessNode;
  let mentor: TestUser;
  let learners: TestUser[];
  let sessionId: string;
  const sockets = new OpenedSockets();
  beforeAll(async () => {
    dir = await migratedDataDir();
    // compactions at once: the restart then also reads a snapshot
    env = embeddedEnv(dir.path, { SOCKET_RATE_LIMIT: "0", DOC_COMPACTION_DELAY_MS: "0" });
    node = await startNode(env);
    const cohort = await makeMentoredCohort(node, 3);
    ({ mentor, learners } = cohort);
    sessionId = await startLiveSession(node, mentor, cohort.cohortId, {
      title: "Embedded",
      language: "ts",
      initialCode: "// hi\n",
    });
  });
  afterAll(async () => {
    sockets.closeAll();
    await node?.stop("SIGKILL");
    dir?.remove();
  });

  it(
    "edits (past the compaction threshold) converge, chat and presence work, and a restart keeps the document",
    { timeout: 60_000 },
    async () => {
      const clients = await Promise.all(
        learners.map(async (user) => {
          const c = new DocClient(sessionId);
          const s = await sockets.connect(node, user.accessToken);
          expect((await c.join(s)).ok).toBe(true);
          return c;
        }),
      );
      const left = nextEvent(clients[0].socket, "presence:left", (p) => p.userId === learners[2].id);
      // 150 updates in all: past the compaction threshold
      await Promise.all(
        clients.map(async (c, i) => {
          for (let n = 0; n < 50; n++) expect(await c.type(String(i))).toEqual({ ok: true });
        }),
      );
      const text = (await eventually(async () => {
        const doc = await api(node, "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken });
        return clients.every((c) => c.text() === doc.body.text) ? (doc.body.text as string) : null;
      })) as string;
      expect(text).toHaveLength("// hi\n".length + 150);

      const sent = await emitOk(clients[1].socket, "chat:send", {
        sessionId,
        body: "embedded chat",
        clientId: crypto.randomUUID(),
      });
      expect(sent.ok).toBe(true);
      expect((await emitOk(clients[0].socket, "chat:history", { sessionId })).messages).toEqual([sent.message]);
      clients[2].socket.close();
      expect(await left).toEqual({ sessionId, userId: learners[2].id });

      expect(await node.stop("SIGTERM")).toBe(0);
      node = await startNode(env);
      const after = await api(node, "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken });
      expect(after.body.text).toBe(text);
      const reader = new DocClient(sessionId);
      const s = await sockets.connect(node, learners[0].accessToken);
      const ack = okAck(await reader.join(s));
      expect(reader.text()).toBe(text);
      expect(ack.chat.map((m: { body: string }) => m.body)).toEqual(["embedded chat"]);
      expect(ack.presence.map((p: { userId: string }) => p.userId)).toEqual([learners[0].id]);
    },
  );
});
