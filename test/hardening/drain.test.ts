/**
 * SIGTERM during typing and chat on two nodes: the stopping node's clients get server:draining, the process
 * exits 0 within 10 s, every acknowledged edit and message is there afterwards, and the clients carry on with
 * the other node.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProcessCluster, type Cluster } from "../support/clusters.js";
import type { ProcessNode } from "../support/processes.js";
import { api } from "../support/rest.js";
import { makeMentoredCohort, startLiveSession } from "../support/sessions.js";
import { connect, emitAck, nextEvent } from "../support/sockets.js";
import { DocClient } from "../support/yjs.js";

describe("SIGTERM while clients type and chat", () => {
  let cluster: Cluster<ProcessNode>;
  beforeAll(async () => {
    cluster = await startProcessCluster(2);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("drains, exits 0 within 10 s, loses no acknowledged write, clients carry on with the other node", async () => {
    const [a, b] = cluster.nodes as [ProcessNode, ProcessNode];
    const { mentor, learners, cohortId } = await makeMentoredCohort(a, 2);
    const sessionId = await startLiveSession(a, mentor, cohortId, { title: "S", language: "ts" });

    const clients = await Promise.all(
      learners.map(async (user, i) => {
        const doc = new DocClient(sessionId);
        const socket = await connect(a, user.accessToken);
        expect((await doc.join(socket)).ok).toBe(true);
        return { user, doc, socket, tag: `c${i}`, ackedEdits: [] as string[], ackedChats: [] as string[] };
      }),
    );
    const draining = clients.map((c) => nextEvent(c.socket, "server:draining", () => true, 15_000));

    let stop = false;
    const typing = clients.map(async (c) => {
      for (let n = 0; !stop && n < 400; n++) {
        const mark = `[${c.tag}-${n}]`;
        const update = c.doc.edit((text) => text.insert(0, mark));
        const chatId = randomUUID();
        try {
          const [edit, chat] = await Promise.all([
            emitAck(c.socket, "doc:update", { sessionId, update }),
            emitAck(c.socket, "chat:send", { sessionId, body: mark, clientId: chatId }),
          ]);
          if (chat.ok) c.ackedChats.push(mark);
          // a refused update (the node draining, or the per-socket rate limit on a fast machine) would leave every
          // later update of this client waiting for it in the document; a real client resends it, this one stops
          if (!edit.ok) return;
          c.ackedEdits.push(mark);
        } catch {
          return; // the node went away: no ack, nothing promised
        }
        if (!c.socket.connected) return;
      }
    });

    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    const exit = a.stop("SIGTERM");
    await Promise.all(draining);
    const code = await exit;
    const took = Date.now() - started;
    stop = true;
    await Promise.all(typing);
    expect(code).toBe(0);
    expect(took).toBeLessThan(10_000);
    for (const c of clients) expect(c.ackedEdits.length).toBeGreaterThan(0);

    // every acknowledged edit and message is there, read through the other node
    const text = (await api(b, "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken })).body.text as string;
    const bodies = new Set<string>();
    for (let after = ""; ;) {
      const page = await api(b, "GET", `/api/sessions/${sessionId}/chat?limit=200${after && `&after=${after}`}`, {
        token: mentor.accessToken,
      });
      const messages = page.body.messages as { id: string; body: string }[];
      for (const m of messages) bodies.add(m.body);
      if (messages.length < 200) break;
      after = messages[messages.length - 1]!.id;
    }
    for (const c of clients) {
      for (const mark of c.ackedEdits) expect(text).toContain(mark);
      for (const mark of c.ackedChats) expect(bodies.has(mark)).toBe(true);
    }

    // the clients carry on with the other node
    for (const c of clients) {
      c.socket.close();
      const socket = await connect(b, c.user.accessToken);
      expect((await c.doc.join(socket)).ok).toBe(true);
      const update = c.doc.edit((t) => t.insert(0, `[${c.tag}-after]`));
      expect((await emitAck(socket, "doc:update", { sessionId, update })).ok).toBe(true);
      expect((await emitAck(socket, "chat:send", { sessionId, body: "after", clientId: randomUUID() })).ok).toBe(true);
      socket.close();
    }
  }, 90_000);
});
