/**
 * Scenario "big documents" (`npm run bench -- --scenario big-docs`): two nodes in cluster mode, BENCH_SESSIONS (20)
 * sessions whose documents are about 1 MB each; in every session 5 members type (BENCH_RATE, 500 one-character
 * inserts a second in all) while BENCH_MEMBERS (25) more sockets join over 10 s. Measures the `session:join` and
 * `doc:update` ack latencies, probes `/healthz` on both nodes every 50 ms (from a worker thread, so the clients'
 * own work does not count), and samples each node's RSS. Writes bench/results/big-docs.json.
 *
 * The clients do not apply what they receive (a joiner measures its ack, a typer inserts at the start of its own
 * text): the figures are the server's, not a load generator applying megabytes of Yjs updates.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import * as Y from "yjs";
import { startProcessCluster as startCluster } from "../test/support/clusters.js";
import { api, makeCohort, makeUser, type TestUser } from "../test/support/rest.js";
import { connect, emitAck, okAck, type ClientSocket } from "../test/support/sockets.js";
import { benchConfig } from "./config.js";

const SESSIONS = benchConfig.sessions;
const JOINERS = benchConfig.members;
const RATE = benchConfig.rate;
const TYPERS = 5;
const JOIN_SECONDS = 10;
const LOAD_SECONDS = JOIN_SECONDS + 4;
const DOC_CHUNK = 250 * 1024;
const TARGETS = { joinP99Ms: 300, updateP99Ms: 50, healthzMaxMs: 100 };

const log = (msg: string) => console.log(`[big-docs] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
};
const round = (n: number) => Math.round(n * 10) / 10;
const rssMb = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN; // the process is gone
  }
};

const PROBER = `
const { parentPort, workerData } = require("node:worker_threads");
const worst = [];
let running = true;
parentPort.on("message", () => (running = false));
(async () => {
  const all = [];
  while (running) {
    for (const url of workerData.urls) {
      const t0 = performance.now();
      try {
        await (await fetch(url + "/healthz")).arrayBuffer();
        all.push(performance.now() - t0);
      } catch {
        all.push(Infinity);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  parentPort.postMessage(all);
})();
`;

/** Updates of one typer: single characters inserted at the start of its own text. */
function typer() {
  const doc = new Y.Doc();
  return () => {
    let update: Uint8Array | null = null;
    doc.once("update", (u: Uint8Array) => (update = u));
    doc.getText("code").insert(0, "x");
    return update!;
  };
}

export async function runBigDocs() {
  const cluster = await startCluster(2, {
    env: { SOCKET_RATE_LIMIT: "0", CONNECT_RATE_LIMIT: "0", MAX_SOCKETS_PER_USER: "0", AUTH_RATE_LIMIT: "0" },
  });
  const nodes = cluster.nodes;
  const sockets: ClientSocket[] = [];
  const open = async (user: TestUser, node: number) => {
    const s = await connect(nodes[node], user.accessToken);
    sockets.push(s);
    return s;
  };
  try {
    log(`setting up ${SESSIONS} sessions of about ${Math.round((4 * DOC_CHUNK) / 1024)} KB`);
    const sessions = [];
    for (let s = 0; s < SESSIONS; s++) {
      const mentor = await makeUser(nodes[0], "mentor");
      const learners = await Promise.all(Array.from({ length: TYPERS - 1 }, (_, i) => makeUser(nodes[i % 2], "learner")));
      const cohort = await makeCohort(nodes[0], mentor, learners);
      const created = await api(nodes[s % 2], "POST", `/api/cohorts/${cohort.id}/sessions`, {
        token: mentor.accessToken,
        body: { title: `Big ${s}`, language: "ts", initialCode: "i".repeat(DOC_CHUNK) },
      });
      const id: string = created.body.session.id;
      await api(nodes[s % 2], "POST", `/api/sessions/${id}/start`, { token: mentor.accessToken });
      const writer = await open(mentor, s % 2);
      await emitAck(writer, "session:join", { sessionId: id });
      for (let k = 0; k < 3; k++) {
        const doc = new Y.Doc();
        let update: Uint8Array | null = null;
        doc.once("update", (u: Uint8Array) => (update = u));
        doc.getText("code").insert(0, String(k).repeat(DOC_CHUNK));
        const ack = await emitAck(writer, "doc:update", { sessionId: id, update: update! });
        if (!ack.ok) throw new Error(`growing the document failed: ${JSON.stringify(ack)}`);
      }
      sessions.push({ id, users: [mentor, ...learners] });
    }
    const firstJoin = await emitAck(sockets[0], "session:join", { sessionId: sessions[0].id });
    const docBytes = new Uint8Array(okAck(firstJoin).state).byteLength;

    log(`typers: ${SESSIONS * TYPERS} sockets joining`);
    const typers = await Promise.all(
      sessions.flatMap((s) =>
        s.users.map(async (user, i) => {
          const socket = await open(user, i % 2);
          const ack = await emitAck(socket, "session:join", { sessionId: s.id });
          if (!ack.ok) throw new Error("typer join failed");
          return { socket, sessionId: s.id, next: typer() };
        }),
      ),
    );

    const rss = nodes.map(() => ({ before: 0, peak: 0, after: 0 }));
    nodes.forEach((n, i) => (rss[i].before = rssMb(n.proc.pid!)));
    const prober = new Worker(PROBER, { eval: true, workerData: { urls: nodes.map((n) => n.url) } });
    const probes = new Promise<number[]>((resolve) => prober.once("message", resolve));
    const rssTimer = setInterval(() => nodes.forEach((n, i) => (rss[i].peak = Math.max(rss[i].peak, rssMb(n.proc.pid!)))), 250);

    log(`load: ${RATE} updates/s from ${typers.length} typers while ${SESSIONS * JOINERS} sockets join over ${JOIN_SECONDS} s`);
    const updateMs: number[] = [];
    const joinMs: number[] = [];
    const failures: Record<string, number> = {};
    const fail = (code: string) => (failures[code] = (failures[code] ?? 0) + 1);
    const start = performance.now();
    const typing = (async () => {
      const pending: Promise<void>[] = [];
      for (let n = 0; performance.now() - start < LOAD_SECONDS * 1000; n++) {
        const due = start + (n * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        const t = typers[n % typers.length];
        const t0 = performance.now();
        pending.push(
          emitAck(t.socket, "doc:update", { sessionId: t.sessionId, update: t.next() }).then(
            (ack) => (ack.ok ? void updateMs.push(performance.now() - t0) : void fail(ack.error.code)),
            () => void fail("timeout"),
          ),
        );
      }
      await Promise.all(pending);
    })();
    const joining = Promise.all(
      sessions.flatMap((s) =>
        Array.from({ length: JOINERS }, async (_, j) => {
          await sleep(Math.random() * JOIN_SECONDS * 1000);
          const socket = await open(s.users[j % s.users.length], j % 2).catch(() => null);
          if (!socket) return void fail("connect");
          const t0 = performance.now();
          const ack = await emitAck(socket, "session:join", { sessionId: s.id }).catch(() => ({
            ok: false,
            error: { code: "timeout" },
          }));
          if (ack.ok) joinMs.push(performance.now() - t0);
          else fail(`join ${ack.error.code}`);
        }),
      ),
    );
    await Promise.all([typing, joining]);
    clearInterval(rssTimer);
    prober.postMessage("stop");
    const healthz = await probes;
    await prober.terminate();
    nodes.forEach((n, i) => (rss[i].after = rssMb(n.proc.pid!)));

    const result = {
      scenario: "big-docs",
      date: new Date().toISOString(),
      machine: `${readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? "?"}, ${
        readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm)?.length ?? "?"
      } cores; load average at the end ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
      sessions: SESSIONS,
      documentBytes: docBytes,
      typers: typers.length,
      joins: {
        count: joinMs.length,
        p50: round(percentile(joinMs, 50)),
        p99: round(percentile(joinMs, 99)),
        max: round(Math.max(...joinMs)),
      },
      updates: {
        count: updateMs.length,
        perSecond: round(updateMs.length / LOAD_SECONDS),
        p50: round(percentile(updateMs, 50)),
        p99: round(percentile(updateMs, 99)),
        max: round(Math.max(...updateMs)),
      },
      healthz: {
        probes: healthz.length,
        p99: round(percentile(healthz, 99)),
        max: round(Math.max(...healthz)),
        over100ms: healthz.filter((h) => h > 100).length,
      },
      rssMB: rss.map((r) => ({ before: Math.round(r.before), peak: Math.round(r.peak), after: Math.round(r.after) })),
      failures,
      targets: {
        joinP99: percentile(joinMs, 99) <= TARGETS.joinP99Ms,
        updateP99: percentile(updateMs, 99) <= TARGETS.updateP99Ms,
        healthzMax: Math.max(...healthz) <= TARGETS.healthzMaxMs,
      },
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
    writeFileSync(new URL("./results/big-docs.json", import.meta.url), JSON.stringify(result, null, 2) + "\n");
  } catch (err) {
    await sleep(2000);
    for (const n of nodes) {
      console.error(
        `node ${n.port} exit ${n.proc.exitCode} ${n.proc.signalCode}:\n${n.logs
          .filter((l) => !l.includes('"msg":"request"'))
          .slice(-20)
          .join("\n")}`,
      );
    }
    throw err;
  } finally {
    for (const s of sockets) s.close();
    await cluster.close();
  }
}
