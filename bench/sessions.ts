/**
 * Live-session load test: two server nodes (cluster mode, fresh database), 20 sessions × 25 members spread
 * over both nodes, 500 one-character inserts a second in all for ~20 s. Measures the `doc:update` ack
 * latency and deliveries, then checks that no acknowledged update was lost and that every client converged
 * to the stored document (GET /api/sessions/:id/document). Writes bench/results/latest.json.
 *
 *   npm run bench                      (defaults)
 *   BENCH_SECONDS=10 BENCH_RATE=300 npm run bench
 */
import { spawnSync } from "node:child_process";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import * as Y from "yjs";
import {
  api,
  connect,
  emitAck,
  makeCohort,
  makeUser,
  startCluster,
  type ClientSocket,
  type Cluster,
  type Node,
  type TestUser,
} from "../test/helpers.js";

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 20);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 25);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_SECONDS = 2;
const TARGET_P99_MS = 50;
const REMOTE = Symbol("remote");
/**
 * Every client applies each update it receives at once, like an editor would. The 500 simulated clients share
 * this one process, though; BENCH_APPLY=batched makes each apply what it received as one merged update every
 * 50 ms, to see how much of the measured latency is the bench's own event loop.
 */
const APPLY_EVERY_MS = process.env.BENCH_APPLY === "batched" ? 50 : 0;

interface Client {
  user: TestUser;
  node: number;
  sessionId: string;
  socket: ClientSocket;
  doc: Y.Doc;
  acked: number;
  received: number;
  inbox: Uint8Array[];
}

function applyInbox(client: Client) {
  if (client.inbox.length === 0) return;
  const updates = client.inbox;
  client.inbox = [];
  Y.applyUpdate(client.doc, updates.length === 1 ? updates[0] : Y.mergeUpdates(updates), REMOTE);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const n = fields.map(Number);
  const idle = n[3] + (n[4] ?? 0);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The server's own `doc:update` ack-duration histogram (cumulative bucket counts by upper bound, seconds). */
async function serverHistogram(node: Node): Promise<Map<string, number>> {
  const res = await fetch(`${node.url}/metrics`);
  const text = await res.text();
  const buckets = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^cohort_live_ack_duration_seconds_bucket\{(.*)\} (\S+)$/.exec(line);
    if (!m || !m[1].includes('event="doc:update"')) continue;
    const le = /le="([^"]+)"/.exec(m[1])?.[1];
    if (le) buckets.set(le, Number(m[2]));
  }
  return buckets;
}

/** Share of server-side acks within each bucket bound, over the load window, summed over nodes. */
function serverShares(before: Map<string, number>[], after: Map<string, number>[]): Record<string, number> {
  const totals = new Map<string, number>();
  after.forEach((h, i) => {
    for (const [le, n] of h) totals.set(le, (totals.get(le) ?? 0) + n - (before[i].get(le) ?? 0));
  });
  const all = totals.get("+Inf") ?? 0;
  const out: Record<string, number> = {};
  for (const [le, n] of totals) if (le !== "+Inf") out[`<=${Number(le) * 1000}ms`] = all ? Math.round((n / all) * 10000) / 100 : 0;
  return out;
}

async function setup(cluster: Cluster) {
  const nodes = cluster.nodes;
  const log = (msg: string) => console.log(`[bench] ${msg}`);
  log(`registering ${SESSIONS * MEMBERS} users`);
  // mentors are promoted by one admin, registered through the first node
  const mentors = await pool(Array.from({ length: SESSIONS }), 4, () => makeUser(nodes[0], "mentor"));
  const learners = await pool(Array.from({ length: SESSIONS * (MEMBERS - 1) }), 8, (_, i) => makeUser(nodes[i % 2], "learner"));
  log("creating cohorts and sessions");
  const sessions = await pool(mentors, 4, async (mentor, s) => {
    const members = learners.slice(s * (MEMBERS - 1), (s + 1) * (MEMBERS - 1));
    const cohort = await makeCohort(nodes[s % 2], mentor, members);
    const created = await api(nodes[s % 2], "POST", `/api/cohorts/${cohort.id}/sessions`, {
      token: mentor.accessToken,
      body: { title: `Bench ${s}`, language: "typescript", initialCode: `// session ${s}\n` },
    });
    if (created.status !== 201) throw new Error(`session create failed: ${created.status}`);
    const id: string = created.body.session.id;
    const started = await api(nodes[(s + 1) % 2], "POST", `/api/sessions/${id}/start`, { token: mentor.accessToken });
    if (started.status !== 200) throw new Error(`session start failed: ${started.status}`);
    return { id, mentor, users: [mentor, ...members] };
  });
  log(`connecting and joining ${SESSIONS * MEMBERS} sockets`);
  const pairs = sessions.flatMap((s) => s.users.map((user, m) => ({ session: s, user, node: m % 2 })));
  const clients = await pool(pairs, 20, async ({ session, user, node }): Promise<Client> => {
    const socket = await connect(nodes[node], user.accessToken);
    const client: Client = { user, node, sessionId: session.id, socket, doc: new Y.Doc(), acked: 0, received: 0, inbox: [] };
    socket.on("doc:update", (p) => {
      client.received++;
      client.inbox.push(new Uint8Array(p.update));
      if (APPLY_EVERY_MS === 0) applyInbox(client);
    });
    const ack = await emitAck(socket, "session:join", { sessionId: session.id });
    if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack.error)}`);
    Y.applyUpdate(client.doc, new Uint8Array(ack.state), REMOTE);
    return client;
  });
  return { sessions, clients };
}

async function main() {
  const cluster = await startCluster(2, {
    env: {
      SOCKET_RATE_LIMIT: "0",
      AUTH_RATE_LIMIT: "0",
      // e.g. BENCH_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the servers
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    },
  });
  try {
    const nodes: Node[] = cluster.nodes;
    const { sessions, clients } = await setup(cluster);
    const applier = APPLY_EVERY_MS > 0 ? setInterval(() => clients.forEach(applyInbox), APPLY_EVERY_MS) : undefined;
    const log = (msg: string) => console.log(`[bench] ${msg}`);

    // ------------------------------------------------------------ load
    log(`typing: ${RATE} inserts/s over ${clients.length} clients for ${SECONDS} s`);
    const latencies: { at: number; ms: number }[] = [];
    const failures = new Map<string, number>();
    const inflight = new Set<Promise<void>>();
    const receivedBefore = clients.reduce((n, c) => n + c.received, 0);
    const histBefore = await Promise.all(nodes.map(serverHistogram));
    const cpuBefore = nodes.map((n) => cpuSeconds(n.proc.pid));
    const machineBefore = machineJiffies();
    // the clients' own event-loop delay: time an ack may wait in this process before it is seen
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const benchCpuBefore = process.cpuUsage();
    const started = performance.now();
    let sent = 0;
    let order = 0;
    // spread typists so consecutive inserts come from different sessions and nodes
    const typists = clients.map((_, i) => i).sort((a, b) => (a % MEMBERS) - (b % MEMBERS) || a - b);

    const type = (client: Client) => {
      const text = client.doc.getText("code");
      let update: Uint8Array | null = null;
      client.doc.once("update", (u: Uint8Array) => (update = u));
      text.insert(Math.floor(Math.random() * (text.length + 1)), String.fromCharCode(97 + (sent % 26)));
      const t0 = performance.now();
      const p = emitAck(client.socket, "doc:update", { sessionId: client.sessionId, update: update! }).then(
        (ack) => {
          if (ack.ok) {
            client.acked++;
            latencies.push({ at: t0 - started, ms: performance.now() - t0 });
          } else {
            failures.set(ack.error.code, (failures.get(ack.error.code) ?? 0) + 1);
          }
        },
        () => {
          failures.set("TIMEOUT", (failures.get("TIMEOUT") ?? 0) + 1);
        },
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    };

    while (performance.now() - started < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * RATE);
      while (sent < due) {
        type(clients[typists[order++ % typists.length]]);
        sent++;
      }
      await sleep(2);
    }
    const typingMs = performance.now() - started;
    await Promise.all([...inflight]);
    const ackedAt = performance.now();
    const cpuAfter = nodes.map((n) => cpuSeconds(n.proc.pid));
    const machineAfter = machineJiffies();
    loopDelay.disable();
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const deliveredDuringLoad = clients.reduce((n, c) => n + c.received, 0) - receivedBefore;
    const serverAckShares = serverShares(histBefore, await Promise.all(nodes.map(serverHistogram)));

    // ------------------------------------------------------------ convergence
    const ackedPerSession = new Map<string, number>();
    for (const c of clients) ackedPerSession.set(c.sessionId, (ackedPerSession.get(c.sessionId) ?? 0) + c.acked);
    const expectedReceived = (c: Client) => (ackedPerSession.get(c.sessionId) ?? 0) - c.acked;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && clients.some((c) => c.received < expectedReceived(c))) await sleep(100);
    const missingDeliveries = clients.reduce((n, c) => n + Math.max(0, expectedReceived(c) - c.received), 0);
    clearInterval(applier);
    clients.forEach(applyInbox);

    let lost = 0;
    let diverged = 0;
    for (const [s, session] of sessions.entries()) {
      const res = await api(nodes[s % 2], "GET", `/api/sessions/${session.id}/document`, { token: session.mentor.accessToken });
      const text: string = res.body.text;
      const expectedLength = `// session ${s}\n`.length + (ackedPerSession.get(session.id) ?? 0);
      // every insert is one character and nothing is deleted: a lost acknowledged update shortens the text
      if (text.length < expectedLength) lost += expectedLength - text.length;
      for (const c of clients) if (c.sessionId === session.id && c.doc.getText("code").toString() !== text) diverged++;
    }

    // ------------------------------------------------------------ report
    const steady = latencies.filter((l) => l.at >= WARMUP_SECONDS * 1000).map((l) => l.ms).sort((a, b) => a - b);
    const all = latencies.map((l) => l.ms).sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 100) / 100;
    const stats = (xs: number[]) => ({
      count: xs.length,
      p50: round(percentile(xs, 50)),
      p95: round(percentile(xs, 95)),
      p99: round(percentile(xs, 99)),
      max: round(xs[xs.length - 1] ?? NaN),
    });
    const seconds = typingMs / 1000;
    const totalAcked = [...ackedPerSession.values()].reduce((a, b) => a + b, 0);
    const result = {
      at: new Date().toISOString(),
      config: { applyEveryMs: APPLY_EVERY_MS, sessions: SESSIONS, membersPerSession: MEMBERS, clients: clients.length, insertsPerSecond: RATE, seconds: SECONDS, nodes: nodes.length },
      sent,
      acked: totalAcked,
      failures: Object.fromEntries(failures),
      ackLatencyMs: { steady: stats(steady), all: stats(all) },
      serverSideAckPercentWithin: serverAckShares,
      benchEventLoopDelayMs: {
        p50: round(loopDelay.percentile(50) / 1e6),
        p99: round(loopDelay.percentile(99) / 1e6),
        max: round(loopDelay.max / 1e6),
      },
      ackedPerSecond: round(totalAcked / seconds),
      deliveriesPerSecond: round(deliveredDuringLoad / seconds),
      drainMs: round(ackedAt - started - typingMs),
      missingDeliveries,
      lostUpdates: lost,
      divergedClients: diverged,
      cpu: {
        nodesPercentOfOneCore: cpuAfter.map((c, i) => round(((c - cpuBefore[i]) / seconds) * 100)),
        benchClientsPercentOfOneCore: round(((benchCpu.user + benchCpu.system) / 1e6 / seconds) * 100),
        // everything on the machine (servers, clients, PostgreSQL, Redis, and whatever else was running)
        machineBusyPercent: round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100),
      },
      targetP99Ms: TARGET_P99_MS,
      pass: steady.length > 0 && percentile(steady, 99) < TARGET_P99_MS && lost === 0 && diverged === 0 && failures.size === 0,
    };
    mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
    writeFileSync(new URL("./results/latest.json", import.meta.url), JSON.stringify(result, null, 2) + "\n");

    const l = result.ackLatencyMs.steady;
    console.log(`
live sessions bench: ${SESSIONS} sessions × ${MEMBERS} members on ${nodes.length} nodes, ${RATE} inserts/s for ${SECONDS} s
  sent ${sent}, acked ${totalAcked}, failures ${JSON.stringify(result.failures)}
  ack latency (after ${WARMUP_SECONDS} s warm-up): p50 ${l.p50} ms  p95 ${l.p95} ms  p99 ${l.p99} ms  max ${l.max} ms  (target p99 < ${TARGET_P99_MS} ms)
  ack latency (whole run):          p50 ${result.ackLatencyMs.all.p50} ms  p95 ${result.ackLatencyMs.all.p95} ms  p99 ${result.ackLatencyMs.all.p99} ms
  server-side ack time (% of acks within): ${Object.entries(serverAckShares).map(([k, v]) => `${k} ${v}%`).join(", ")}
  bench clients' event-loop delay: p50 ${result.benchEventLoopDelayMs.p50} ms, p99 ${result.benchEventLoopDelayMs.p99} ms, max ${result.benchEventLoopDelayMs.max} ms
  throughput: ${result.ackedPerSecond} acked/s, ${result.deliveriesPerSecond} deliveries/s
  lost acknowledged updates: ${lost}, missing deliveries: ${missingDeliveries}, clients not converged: ${diverged}
  cpu (% of one core): nodes ${result.cpu.nodesPercentOfOneCore.join(" / ")}, bench clients ${result.cpu.benchClientsPercentOfOneCore}; whole machine ${result.cpu.machineBusyPercent}% busy
  ${result.pass ? "PASS" : "FAIL"} — written to bench/results/latest.json`);
    for (const c of clients) c.socket.close();
    // a graceful stop (profiles and logs are flushed), then the cluster's database is dropped
    await Promise.all(nodes.map((n) => n.stop("SIGTERM")));
    process.exitCode = result.pass ? 0 : 1;
  } finally {
    await cluster.close();
  }
}

/**
 * The 500 simulated clients allocate fast (socket.io packets, Yjs transactions): with V8's default 16 MB
 * young generation this process spends its time in scavenges and stalls acks it has already received. The
 * bench therefore re-runs itself with a larger young generation (a setting of the load generator only; the
 * servers run with defaults).
 */
const YOUNG_GEN_FLAG = "--max-semi-space-size=64";
if (!process.execArgv.includes(YOUNG_GEN_FLAG) && !process.env.BENCH_NO_REEXEC) {
  const run = spawnSync(process.execPath, [...process.execArgv, YOUNG_GEN_FLAG, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(run.status ?? 1);
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
