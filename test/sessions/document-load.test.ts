import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { startProcessCluster, type Cluster } from "../support/clusters.js";
import type { ProcessNode } from "../support/processes.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { connect, emitAck, type ClientSocket } from "../support/sockets.js";
import { DocClient } from "../support/yjs.js";

/**
 * Probes in a worker thread: `/healthz` on every node and a chat ack on its own socket, every 20 ms. Its own event
 * loop, so that this test applying megabytes of Yjs updates to its clients does not count as the server's delay.
 */
const PROBER = `
const { parentPort, workerData } = require("node:worker_threads");
const { randomUUID } = require("node:crypto");
const { io } = require("socket.io-client");
const { urls, chatUrl, token, sessionId } = workerData;
const healthz = [], chat = [];
let running = true;
parentPort.on("message", () => (running = false));
const socket = io(chatUrl, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
socket.once("connect", async () => {
  const joined = await socket.timeout(10000).emitWithAck("session:join", { sessionId });
  if (!joined.ok) throw new Error("prober could not join");
  parentPort.postMessage({ type: "ready" });
  while (running) {
    for (const url of urls) {
      const t0 = performance.now();
      await (await fetch(url + "/healthz")).arrayBuffer();
      healthz.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const ack = await socket.timeout(10000).emitWithAck("chat:send", { sessionId, body: "still here?", clientId: randomUUID() });
    if (!ack.ok) throw new Error("chat:send failed");
    chat.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  socket.close();
  parentPort.postMessage({ type: "done", healthz, chat });
});
`;

function startProber(data: { urls: string[]; chatUrl: string; token: string; sessionId: string }) {
  const worker = new Worker(PROBER, { eval: true, workerData: data });
  const message = (type: string) =>
    new Promise<{ healthz: number[]; chat: number[] }>((resolve, reject) => {
      worker.on("message", (m: { type: string; healthz: number[]; chat: number[] }) => m.type === type && resolve(m));
      worker.once("error", reject);
    });
  const ready = message("ready");
  const done = message("done");
  return {
    ready,
    async stop() {
      worker.postMessage("stop");
      const result = await done;
      await worker.terminate();
      return result;
    },
  };
}

describe("a large document does not hold up the rest of the server", () => {
  let cluster: Cluster<ProcessNode>;
  let mentor: TestUser;
  let learners: TestUser[];
  let sessionId: string;
  let chatSessionId: string;
  const sockets: ClientSocket[] = [];
  const open = async (user: TestUser, node: number) => {
    const s = await connect(cluster.nodes[node], user.accessToken);
    sockets.push(s);
    return s;
  };
  const liveSession = async (cohortId: string) => {
    const id: string = (
      await api(cluster.nodes[0], "POST", `/api/cohorts/${cohortId}/sessions`, {
        token: mentor.accessToken,
        body: { title: "Big", language: "ts" },
      })
    ).body.session.id;
    await api(cluster.nodes[0], "POST", `/api/sessions/${id}/start`, { token: mentor.accessToken });
    return id;
  };

  beforeAll(async () => {
    // processes: the latency bounds are the servers', and this test applies megabytes of Yjs updates in its own loop
    cluster = await startProcessCluster(2, {
      env: { SOCKET_RATE_LIMIT: "0", CONNECT_RATE_LIMIT: "0", MAX_SOCKETS_PER_USER: "0" },
    });
    mentor = await makeUser(cluster.nodes[0], "mentor");
    learners = await Promise.all(Array.from({ length: 10 }, () => makeUser(cluster.nodes[0], "learner")));
    const cohortId = (await makeCohort(cluster.nodes[0], mentor, learners)).id;
    sessionId = await liveSession(cohortId);
    chatSessionId = await liveSession(cohortId);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  it(
    "10 sockets join and sync a 3.5 MB document on two nodes; /healthz and a chat ack answer within 200 ms",
    { timeout: 120_000 },
    async () => {
      // 3.5 MB of text, written as 14 updates of 250 KB
      const writer = new DocClient(sessionId);
      await writer.join(await open(mentor, 0));
      for (let i = 0; i < 14; i++) {
        expect(await writer.type(String.fromCharCode(97 + i).repeat(250 * 1024), 0)).toEqual({ ok: true });
      }
      const prober = startProber({
        urls: cluster.nodes.map((n) => n.url),
        chatUrl: cluster.nodes[1].url,
        token: mentor.accessToken,
        sessionId: chatSessionId,
      });
      await prober.ready;

      const readers = await Promise.all(
        learners.map(async (user, i) => {
          const reader = new DocClient(sessionId);
          const ack = await reader.join(await open(user, i % 2));
          expect(ack.ok).toBe(true);
          await reader.sync();
          return reader;
        }),
      );
      // and once more from an empty state vector each: the whole document again
      await Promise.all(
        readers.map((r) => emitAck(r.socket, "doc:sync", { sessionId, stateVector: Y.encodeStateVector(new Y.Doc()) })),
      );
      const { healthz, chat: chatAcks } = await prober.stop();

      for (const r of readers) expect(r.text()).toBe(writer.text());
      expect(writer.text()).toHaveLength(14 * 250 * 1024);
      expect(healthz.length).toBeGreaterThan(2);
      expect(Math.max(...healthz)).toBeLessThan(200);
      expect(Math.max(...chatAcks)).toBeLessThan(200);
    },
  );
});
