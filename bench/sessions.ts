/**
 * Live-session load test: two server nodes (cluster mode, fresh database), 20 sessions × 25 members spread
 * over both nodes, 500 one-character inserts a second in all for ~20 s. Measures the `doc:update` ack
 * latency and deliveries, then checks that no acknowledged update was lost and that every client converged
 * to the stored document (GET /api/sessions/:id/document). Writes bench/results/latest.json.
 *
 *   npm run bench                      (defaults)
 *   npm run bench -- --scenario big-docs   (1 MB documents joined while others type: bench/big-docs.ts)
 *   BENCH_SECONDS=10 BENCH_RATE=300 npm run bench
 *
 * The simulated clients run in BENCH_SHARDS (2) child processes, as real clients each run in their own
 * browser: one process receiving all 12,000 deliveries a second would measure its own event loop.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import * as Y from "yjs";
import { type Cluster, startProcessCluster } from "../test/support/clusters.js";
import type { ProcessNode as Node } from "../test/support/processes.js";
import { api, makeCohort, makeUser, type TestUser } from "../test/support/rest.js";
import { type ClientSocket, connect, emitAck } from "../test/support/sockets.js";
import { benchConfig } from "./config.js";
import { CLIENT_V8_FLAGS } from "./lib/procs.js";

const { sessions: SESSIONS, members: MEMBERS, rate: RATE, seconds: SECONDS, shards: SHARDS } = benchConfig;
const WARMUP_SECONDS = 2;
const TARGET_P99_MS = 50;
/**
 * Every client applies each update it receives at once, like an editor would. BENCH_APPLY=batched makes
 * each apply what it received as one merged update every 50 ms instead.
 */
const APPLY_EVERY_MS = benchConfig.applyEveryMs;
const SHARD_EXEC_ARGV = [...process.execArgv, ...CLIENT_V8_FLAGS];
const REMOTE = Symbol("remote");

// ---------------------------------------------------------------- messages between the bench and its shards

interface ShardClient {
  token: string;
  sessionId: string;
  node: number;
}
type ToShard =
  | { type: "init"; urls: string[]; clients: ShardClient[]; rate: number; seconds: number }
  | { type: "go"; at: number }
  | { type: "expect"; received: number[] };
interface LoadReport {
  type: "done";
  /** [ms since the start, ack latency ms] of every acknowledged update. */
  latencies: [number, number][];
  failures: Record<string, number>;
  sent: number;
  acked: number[];
  receivedDuringLoad: number;
  loopDelayMs: { p50: number; p99: number; max: number };
  cpuSeconds: number;
}
type FromShard = { type: "ready" } | LoadReport | { type: "texts"; texts: string[]; missing: number };

// ---------------------------------------------------------------- helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number) => Math.round(n * 100) / 100;

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

/** A counter's value on a node (0 when absent). */
async function serverCounter(node: Node, name: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

/** Updates stored and INSERT statements (commits) used, summed over nodes. */
async function writeCounters(nodes: Node[]): Promise<{ stored: number; inserts: number }> {
  const [stored, inserts] = await Promise.all(
    ["cohort_live_doc_updates_stored_total", "cohort_live_doc_update_inserts_total"].map(async (name) =>
      (await Promise.all(nodes.map((n) => serverCounter(n, name)))).reduce((a, b) => a + b, 0),
    ),
  );
  return { stored, inserts };
}

/** The server's own `doc:update` ack-duration histogram (cumulative bucket counts by upper bound, seconds). */
async function serverHistogram(node: Node): Promise<Map<string, number>> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const buckets = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^cohort_live_ack_duration_seconds_bucket\{(.*)\} (\S+)$/.exec(line);
    if (!m || !m[1].includes('event="doc:update"')) continue;
    const le = /le="([^"]+)"/.exec(m[1])?.[1];
    if (le) buckets.set(le, Number(m[2]));
  }
  return buckets;
}

/** Share (%) of server-side acks within each bucket bound over the load window, summed over nodes. */
function serverShares(before: Map<string, number>[], after: Map<string, number>[]): Record<string, number> {
  const totals = new Map<string, number>();
  after.forEach((h, i) => {
    for (const [le, n] of h) totals.set(le, (totals.get(le) ?? 0) + n - (before[i].get(le) ?? 0));
  });
  const all = totals.get("+Inf") ?? 0;
  const out: Record<string, number> = {};
  for (const [le, n] of totals) if (le !== "+Inf") out[`<=${Number(le) * 1000}ms`] = all ? round((n / all) * 100) : 0;
  return out;
}

// ---------------------------------------------------------------- a shard: some of the clients, in a child process

interface Client {
  spec: ShardClient;
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

function runShard() {
  const send = (msg: FromShard) => process.send!(msg);
  let clients: Client[] = [];
  let rate = 0;
  let seconds = 0;

  async function init(urls: string[], specs: ShardClient[]) {
    clients = await pool(specs, 20, async (spec): Promise<Client> => {
      const socket = await connect(urls[spec.node], spec.token, { transports: ["websocket"] });
      const client: Client = { spec, socket, doc: new Y.Doc(), acked: 0, received: 0, inbox: [] };
      socket.on("doc:update", (p) => {
        client.received++;
        client.inbox.push(new Uint8Array(p.update));
        if (APPLY_EVERY_MS === 0) applyInbox(client);
      });
      const ack = await emitAck(socket, "session:join", { sessionId: spec.sessionId });
      if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack.error)}`);
      Y.applyUpdate(client.doc, new Uint8Array(ack.state), REMOTE);
      return client;
    });
    if (APPLY_EVERY_MS > 0) setInterval(() => clients.forEach(applyInbox), APPLY_EVERY_MS).unref();
    send({ type: "ready" });
  }

  async function load(at: number) {
    while (Date.now() < at) await sleep(1);
    const latencies: [number, number][] = [];
    const failures: Record<string, number> = {};
    const inflight = new Set<Promise<void>>();
    const receivedBefore = clients.reduce((n, c) => n + c.received, 0);
    // this process's own event-loop delay: how long an ack may wait here before it is seen
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let sent = 0;

    const type = (client: Client) => {
      const text = client.doc.getText("code");
      let update: Uint8Array | null = null;
      client.doc.once("update", (u: Uint8Array) => (update = u));
      text.insert(Math.floor(Math.random() * (text.length + 1)), String.fromCharCode(97 + (sent % 26)));
      const t0 = performance.now();
      const p = emitAck(client.socket, "doc:update", { sessionId: client.spec.sessionId, update: update! }).then(
        (ack) => {
          if (ack.ok) {
            client.acked++;
            latencies.push([t0 - started, performance.now() - t0]);
          } else {
            failures[ack.error.code] = (failures[ack.error.code] ?? 0) + 1;
          }
        },
        () => {
          failures.TIMEOUT = (failures.TIMEOUT ?? 0) + 1;
        },
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    };

    while (performance.now() - started < seconds * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      // a prime stride over this shard's clients: each types once a round, consecutive inserts change session
      while (sent < due) {
        type(clients[(sent * 7919) % clients.length]);
        sent++;
      }
      await sleep(2);
    }
    await Promise.all([...inflight]);
    loopDelay.disable();
    const cpu = process.cpuUsage(cpuBefore);
    send({
      type: "done",
      latencies,
      failures,
      sent,
      acked: clients.map((c) => c.acked),
      receivedDuringLoad: clients.reduce((n, c) => n + c.received, 0) - receivedBefore,
      loopDelayMs: {
        p50: round(loopDelay.percentile(50) / 1e6),
        p99: round(loopDelay.percentile(99) / 1e6),
        max: round(loopDelay.max / 1e6),
      },
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    });
  }

  async function converge(expected: number[]) {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && clients.some((c, i) => c.received < expected[i])) await sleep(100);
    const missing = clients.reduce((n, c, i) => n + Math.max(0, expected[i] - c.received), 0);
    clients.forEach(applyInbox);
    send({ type: "texts", texts: clients.map((c) => c.doc.getText("code").toString()), missing });
    for (const c of clients) c.socket.close();
  }

  process.on("message", (msg: ToShard) => {
    const fail = (err: unknown) => {
      console.error(err);
      process.exit(1);
    };
    if (msg.type === "init") {
      rate = msg.rate;
      seconds = msg.seconds;
      init(msg.urls, msg.clients).catch(fail);
    } else if (msg.type === "go") load(msg.at).catch(fail);
    else if (msg.type === "expect") converge(msg.received).catch(fail);
  });
  process.on("disconnect", () => process.exit(0));
}

// ---------------------------------------------------------------- the bench: servers, data, shards, checks

class Shard {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, { resolve: (msg: FromShard) => void; reject: (err: Error) => void }>();
  constructor(readonly clients: ShardClient[]) {
    this.child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: SHARD_EXEC_ARGV,
      env: benchConfig.shardEnv,
    });
    this.child.on("message", (msg: FromShard) => {
      const w = this.waiting.get(msg.type);
      this.waiting.delete(msg.type);
      w?.resolve(msg);
    });
    this.child.on("exit", (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`a client process exited with ${code}`));
      this.waiting.clear();
    });
  }
  request<T extends FromShard["type"]>(msg: ToShard, reply: T): Promise<Extract<FromShard, { type: T }>> {
    const p = new Promise<Extract<FromShard, { type: T }>>((resolve, reject) =>
      this.waiting.set(reply, { resolve: resolve as (m: FromShard) => void, reject }),
    );
    this.child.send(msg);
    return p;
  }
  close() {
    if (this.child.connected) this.child.disconnect();
  }
}

async function setup(cluster: Cluster<Node>) {
  const nodes = cluster.nodes;
  const log = (msg: string) => console.log(`[bench] ${msg}`);
  log(`registering ${SESSIONS * MEMBERS} users`);
  // mentors are promoted by one admin, registered through the first node
  const mentors = await pool(Array.from({ length: SESSIONS }), 4, () => makeUser(nodes[0], "mentor"));
  const learners = await pool(Array.from({ length: SESSIONS * (MEMBERS - 1) }), 8, (_, i) => makeUser(nodes[i % 2], "learner"));
  log("creating cohorts and sessions");
  return pool(mentors, 4, async (mentor, s) => {
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
    return { id, mentor, users: [mentor, ...members] as TestUser[] };
  });
}

async function main() {
  const log = (msg: string) => console.log(`[bench] ${msg}`);
  const profDir = benchConfig.profileDir ? resolve(benchConfig.profileDir) : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const cluster = await startProcessCluster(2, {
    env: {
      SOCKET_RATE_LIMIT: "0",
      AUTH_RATE_LIMIT: "0",
      // e.g. BENCH_NODE_OPTIONS="--max-old-space-size=512" to try server settings
      ...(benchConfig.serverNodeOptions ? { NODE_OPTIONS: benchConfig.serverNodeOptions } : {}),
    },
    flags: profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [],
  });
  const shards: Shard[] = [];
  try {
    const nodes: Node[] = cluster.nodes;
    const sessions = await setup(cluster);

    // member m of every session goes to node m % 2 and to shard m % SHARDS
    const all = sessions.flatMap((s) => s.users.map((user, m) => ({ token: user.accessToken, sessionId: s.id, node: m % 2, m })));
    for (let k = 0; k < SHARDS; k++) shards.push(new Shard(all.filter((c) => c.m % SHARDS === k).map(({ m: _m, ...c }) => c)));
    log(`connecting and joining ${all.length} sockets from ${SHARDS} client processes`);
    await Promise.all(
      shards.map((sh) =>
        sh.request(
          {
            type: "init",
            urls: nodes.map((n) => n.url),
            clients: sh.clients,
            rate: (RATE * sh.clients.length) / all.length,
            seconds: SECONDS,
          },
          "ready",
        ),
      ),
    );

    // ------------------------------------------------------------ load
    log(`typing: ${RATE} inserts/s over ${all.length} clients for ${SECONDS} s`);
    const histBefore = await Promise.all(nodes.map(serverHistogram));
    const writesBefore = await writeCounters(nodes);
    const cpuBefore = nodes.map((n) => cpuSeconds(n.proc.pid));
    const machineBefore = machineJiffies();
    const at = Date.now() + 300;
    const reports = await Promise.all(shards.map((sh) => sh.request({ type: "go", at }, "done")));
    const machineAfter = machineJiffies();
    const cpuAfter = nodes.map((n) => cpuSeconds(n.proc.pid));
    const serverAckShares = serverShares(histBefore, await Promise.all(nodes.map(serverHistogram)));
    const writesAfter = await writeCounters(nodes);
    const storedDuringLoad = writesAfter.stored - writesBefore.stored;
    const insertsDuringLoad = writesAfter.inserts - writesBefore.inserts;

    // ------------------------------------------------------------ convergence and durability
    const ackedPerSession = new Map<string, number>();
    shards.forEach((sh, k) =>
      sh.clients.forEach((c, i) =>
        ackedPerSession.set(c.sessionId, (ackedPerSession.get(c.sessionId) ?? 0) + reports[k].acked[i]),
      ),
    );
    const results = await Promise.all(
      shards.map((sh, k) =>
        sh.request(
          { type: "expect", received: sh.clients.map((c, i) => (ackedPerSession.get(c.sessionId) ?? 0) - reports[k].acked[i]) },
          "texts",
        ),
      ),
    );
    const missingDeliveries = results.reduce((n, r) => n + r.missing, 0);
    let lost = 0;
    let diverged = 0;
    for (const [s, session] of sessions.entries()) {
      const res = await api(nodes[s % 2], "GET", `/api/sessions/${session.id}/document`, { token: session.mentor.accessToken });
      const text: string = res.body.text;
      // every insert is one character and nothing is deleted: a lost acknowledged update shortens the text
      const expectedLength = `// session ${s}\n`.length + (ackedPerSession.get(session.id) ?? 0);
      if (text.length < expectedLength) lost += expectedLength - text.length;
      shards.forEach((sh, k) =>
        sh.clients.forEach((c, i) => {
          if (c.sessionId === session.id && results[k].texts[i] !== text) diverged++;
        }),
      );
    }

    // ------------------------------------------------------------ report
    const seconds = SECONDS;
    const latencies = reports.flatMap((r) => r.latencies);
    const steady = latencies
      .filter(([t]) => t >= WARMUP_SECONDS * 1000)
      .map(([, ms]) => ms)
      .sort((a, b) => a - b);
    const everything = latencies.map(([, ms]) => ms).sort((a, b) => a - b);
    const stats = (xs: number[]) => ({
      count: xs.length,
      p50: round(percentile(xs, 50)),
      p95: round(percentile(xs, 95)),
      p99: round(percentile(xs, 99)),
      max: round(xs[xs.length - 1] ?? NaN),
    });
    const failures: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    const sent = reports.reduce((n, r) => n + r.sent, 0);
    const totalAcked = [...ackedPerSession.values()].reduce((a, b) => a + b, 0);
    const result = {
      at: new Date().toISOString(),
      config: {
        sessions: SESSIONS,
        membersPerSession: MEMBERS,
        clients: all.length,
        clientProcesses: SHARDS,
        applyEveryMs: APPLY_EVERY_MS,
        insertsPerSecond: RATE,
        seconds: SECONDS,
        nodes: nodes.length,
      },
      sent,
      acked: totalAcked,
      failures,
      ackLatencyMs: { steady: stats(steady), all: stats(everything) },
      serverSideAckPercentWithin: serverAckShares,
      writes: {
        updatesStored: storedDuringLoad,
        insertStatements: insertsDuringLoad,
        updatesPerInsert: round(storedDuringLoad / Math.max(1, insertsDuringLoad)),
      },
      clientEventLoopDelayMs: reports.map((r) => r.loopDelayMs),
      ackedPerSecond: round(totalAcked / seconds),
      deliveriesPerSecond: round(reports.reduce((n, r) => n + r.receivedDuringLoad, 0) / seconds),
      missingDeliveries,
      lostUpdates: lost,
      divergedClients: diverged,
      cpu: {
        nodesPercentOfOneCore: cpuAfter.map((c, i) => round(((c - cpuBefore[i]) / seconds) * 100)),
        clientProcessesPercentOfOneCore: reports.map((r) => round((r.cpuSeconds / seconds) * 100)),
        // everything on the machine: servers, clients, PostgreSQL, Redis, and whatever else was running
        machineBusyPercent: round(((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100),
      },
      targetP99Ms: TARGET_P99_MS,
      pass:
        steady.length > 0 &&
        percentile(steady, 99) < TARGET_P99_MS &&
        lost === 0 &&
        diverged === 0 &&
        missingDeliveries === 0 &&
        Object.keys(failures).length === 0,
    };
    mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
    writeFileSync(new URL("./results/latest.json", import.meta.url), JSON.stringify(result, null, 2) + "\n");

    const l = result.ackLatencyMs.steady;
    const a = result.ackLatencyMs.all;
    console.log(`
live sessions bench: ${SESSIONS} sessions × ${MEMBERS} members on ${nodes.length} nodes, ${RATE} inserts/s for ${SECONDS} s
  sent ${sent}, acked ${totalAcked}, failures ${JSON.stringify(failures)}
  ack latency (after ${WARMUP_SECONDS} s warm-up): p50 ${l.p50} ms  p95 ${l.p95} ms  p99 ${l.p99} ms  max ${l.max} ms  (target p99 < ${TARGET_P99_MS} ms)
  ack latency (whole run):          p50 ${a.p50} ms  p95 ${a.p95} ms  p99 ${a.p99} ms
  server-side ack time (% within): ${Object.entries(serverAckShares)
    .slice(0, 7)
    .map(([k, v]) => `${k} ${v}%`)
    .join(", ")}
  client processes' event-loop delay p99: ${result.clientEventLoopDelayMs.map((d) => `${d.p99} ms`).join(" / ")}
  throughput: ${result.ackedPerSecond} acked/s, ${result.deliveriesPerSecond} deliveries/s; ${result.writes.updatesPerInsert} updates per INSERT (commit)
  lost acknowledged updates: ${lost}, missing deliveries: ${missingDeliveries}, clients not converged: ${diverged}
  cpu (% of one core): nodes ${result.cpu.nodesPercentOfOneCore.join(" / ")}, clients ${result.cpu.clientProcessesPercentOfOneCore.join(" / ")}; whole machine ${result.cpu.machineBusyPercent}% busy
  ${result.pass ? "PASS" : "FAIL"} — written to bench/results/latest.json`);
    process.exitCode = result.pass ? 0 : 1;
    // a graceful stop, then the cluster's database is dropped
    await Promise.all(nodes.map((n) => n.stop("SIGTERM")));
  } finally {
    for (const sh of shards) sh.close();
    await cluster.close();
  }
}

if (benchConfig.isShard) {
  runShard();
} else if (benchConfig.scenario === "big-docs") {
  import("./big-docs.js")
    .then((m) => m.runBigDocs())
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
