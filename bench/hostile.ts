/**
 * The hostile-learner sequence of issue 11, on the embedded default (one node, PGlite, default limits):
 * one socket sends 110 updates of 255 KB as fast as they are acknowledged (it would be a 27 MB document);
 * after the 40th, 6 parallel `doc:sync`; at the end 8 `session:join` on one socket. Meanwhile `/healthz` is
 * probed every 25 ms. Prints the worst probe, the server's RSS (before, peak) and what was accepted.
 *
 *   npm run build && npx tsx bench/hostile.ts [--main <another build's dist/src/main.js>]
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import * as Y from "yjs";
import { tempDir } from "../test/support/databases.js";
import { embeddedEnv, startNode } from "../test/support/processes.js";
import { api, makeCohort, makeUser } from "../test/support/rest.js";
import { connect, emitAck, okAck } from "../test/support/sockets.js";

const UPDATES = 110;
const UPDATE_CHARS = 255 * 1024 - 64;

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

async function main() {
  const dir = tempDir();
  // a fresh embedded database takes a while to create on a busy machine
  const at = process.argv.indexOf("--main");
  const node = await startNode(embeddedEnv(dir.path), 120_000, at > 0 ? process.argv[at + 1] : undefined);
  const pid = node.proc.pid!;
  try {
    const mentor = await makeUser(node, "mentor");
    const learner = await makeUser(node, "learner");
    const cohort = await makeCohort(node, mentor, [learner]);
    const { session } = (
      await api(node, "POST", `/api/cohorts/${cohort.id}/sessions`, {
        token: mentor.accessToken,
        body: { title: "Hostile", language: "ts" },
      })
    ).body;
    await api(node, "POST", `/api/sessions/${session.id}/start`, { token: mentor.accessToken });
    const sessionId: string = session.id;

    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    let worstProbe = 0;
    let probing = true;
    const probes: Promise<void>[] = [];
    const prober = setInterval(() => {
      if (!probing) return;
      probes.push(
        (async () => {
          const t0 = performance.now();
          await fetch(`${node.url}/healthz`);
          worstProbe = Math.max(worstProbe, performance.now() - t0);
          rssPeak = Math.max(rssPeak, rssMb(pid));
        })(),
      );
    }, 25);

    const socket = await connect(node, learner.accessToken);
    const doc = new Y.Doc();
    const joined = await emitAck(socket, "session:join", { sessionId });
    Y.applyUpdate(doc, new Uint8Array(okAck(joined).state));
    const outcomes: Record<string, number> = {};
    const t0 = performance.now();
    for (let i = 0; i < UPDATES; i++) {
      let update: Uint8Array | null = null;
      doc.once("update", (u: Uint8Array) => (update = u));
      doc.getText("code").insert(0, String.fromCharCode(97 + (i % 26)).repeat(UPDATE_CHARS));
      const ack = await emitAck(socket, "doc:update", { sessionId, update: update! });
      const key = ack.ok ? "ok" : ack.error.code;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
      if (i === 39) {
        const syncs = await Promise.all(
          Array.from({ length: 6 }, () => emitAck(socket, "doc:sync", { sessionId, stateVector: new Uint8Array([0]) })),
        );
        console.log(`6 doc:sync after 40 updates: ${syncs.filter((s) => s.ok).length} ok`);
      }
    }
    const sendSeconds = (performance.now() - t0) / 1000;
    const joinT0 = performance.now();
    const joins = await Promise.all(Array.from({ length: 8 }, () => emitAck(socket, "session:join", { sessionId })));
    const joinMs = performance.now() - joinT0;
    const stateBytes = joins[0].ok ? new Uint8Array(joins[0].state).byteLength : 0;
    await new Promise((r) => setTimeout(r, 3000));
    probing = false;
    clearInterval(prober);
    await Promise.all(probes);
    socket.close();
    console.log(
      JSON.stringify(
        {
          date: new Date().toISOString(),
          updates: outcomes,
          sendSeconds: Math.round(sendSeconds * 10) / 10,
          joinStateMB: Math.round((stateBytes / 1024 / 1024) * 10) / 10,
          eightJoinsMs: Math.round(joinMs),
          healthzWorstMs: Math.round(worstProbe),
          probes: probes.length,
          rssMB: { before: rssBefore, peak: rssPeak },
        },
        null,
        2,
      ),
    );
  } finally {
    await node.stop();
    dir.remove();
  }
}

await main();
