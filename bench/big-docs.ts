import { setPriority } from "node:os";
/**
 * Scenario "big documents" (`npm run bench -- --scenario big-docs`): two nodes in cluster mode, BENCH_SESSIONS (20)
 * sessions whose documents are about 1 MB each; in every session 5 members type (BENCH_RATE, 500 one-character
 * inserts a second in all) while BENCH_MEMBERS (25) more members join over 10 s. Measures the `session:join` and
 * `doc:update` ack latencies, probes `/healthz` on both nodes every 50 ms, samples each node's RSS and CPU, then
 * checks that every joiner converged to the stored document and that no acknowledged update was lost.
 * Writes bench/results/big-docs.json; exits 1 when a target or a check fails.
 *
 * The clients run in BENCH_SHARDS (2) child processes (bench/big-docs-shard.ts), each applying its joiners'
 * states and relayed updates into Y.Docs in a worker thread of its own; each reports its CPU and event-loop
 * utilisation, so a saturated generator shows. The prober is a worker thread of this process, which runs no
 * clients. BENCH_PROF=<dir> (or `--prof <dir>`) writes the nodes' CPU profiles there (bench/top-frames.ts).
 * Every joiner receives its full join state and every relayed update; BENCH_MIRRORS (2) of each session's joiners
 * also apply them into a Y.Doc, as an editor does, and are compared with the stored document at the end. The
 * others count the bytes: applying 500 one-megabyte states and 15,000 relays a second is the work of 500
 * devices, which would otherwise share this machine's two cores with the servers being measured.
 */
import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as Y from "yjs";
import { api } from "../test/support/rest.js";
import { seededRandom } from "../test/support/seeded-random.js";
import { connect, emitAck } from "../test/support/sockets.js";
import { benchConfig } from "./config.js";
import type { FromShard, JoinerSpec, ShardLoad, ShardSettled, ToShard, TyperSpec } from "./lib/big-docs-protocol.js";
import { startHealthzProber } from "./lib/healthz-prober.js";
import { CLIENT_V8_FLAGS, loadAverage, machineJiffies } from "./lib/procs.js";
import { scrape, serverAcks } from "./lib/server-acks.js";
import { startStack, type Stack } from "./lib/stack.js";

const { sessions: SESSIONS, members: JOINERS, rate: RATE, shards: SHARDS } = benchConfig;
const TYPERS = 5;
const JOIN_SECONDS = 10;
const LOAD_SECONDS = JOIN_SECONDS + 4;
/** Characters (and bytes) of the initial code and of each of the three updates a document is grown with. */
const DOC_CHUNK = 250 * 1024;
const TARGETS = { joinP99Ms: 300, updateP99Ms: 50, healthzMaxMs: 100 };
const BUDGET_MS = 10 * 60_000;
const SHARD = fileURLToPath(new URL("./big-docs-shard.ts", import.meta.url));

const log = (msg: string) => console.log(`[big-docs] ${msg}`);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
};
const round = (n: number) => Math.round(n * 10) / 10;
const stats = (xs: number[]) => ({
  count: xs.length,
  p50: round(percentile(xs, 50)),
  p99: round(percentile(xs, 99)),
  max: round(Math.max(...xs)),
});
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

/** The nodes' warn/error log lines, counted by message. */
function problemCounts(lines: string[][]): Record<string, number>[] {
  return lines.map((node) => {
    const counts: Record<string, number> = {};
    for (const line of node) {
      let msg = line;
      try {
        const parsed = JSON.parse(line) as { msg?: unknown; err?: { message?: unknown } | string };
        const err = typeof parsed.err === "string" ? parsed.err : parsed.err?.message;
        msg = `${String(parsed.msg)}${typeof err === "string" ? `: ${err.slice(0, 80)}` : ""}`;
      } catch {
        /* not JSON: the line itself */
      }
      counts[msg] = (counts[msg] ?? 0) + 1;
    }
    return counts;
  });
}

class Shard {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, { resolve: (msg: FromShard) => void; reject: (err: Error) => void }>();
  constructor(
    readonly typers: TyperSpec[],
    readonly joiners: JoinerSpec[],
  ) {
    const prof = benchConfig.clientProfileDir;
    this.child = fork(SHARD, [], {
      execArgv: [...process.execArgv, ...CLIENT_V8_FLAGS, ...(prof ? ["--cpu-prof", `--cpu-prof-dir=${resolve(prof)}`] : [])],
    });
    if (benchConfig.clientNice !== undefined) setPriority(this.child.pid!, benchConfig.clientNice);
    this.child.on("message", (msg: FromShard) => {
      this.waiting.get(msg.type)?.resolve(msg);
      this.waiting.delete(msg.type);
    });
    this.child.on("exit", (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`a client process exited with ${code}`));
      this.waiting.clear();
    });
  }
  request<T extends FromShard["type"]>(msg: ToShard, reply: T): Promise<Extract<FromShard, { type: T }>> {
    const p = new Promise<Extract<FromShard, { type: T }>>((res, reject) =>
      this.waiting.set(reply, { resolve: res as (m: FromShard) => void, reject }),
    );
    this.child.send(msg);
    return p;
  }
  close() {
    if (this.child.connected) this.child.disconnect();
  }
}

/** Sessions with a mentor, TYPERS − 1 typing learners and JOINERS joining learners each, documents of ~1 MB. */
async function setup(stack: Stack) {
  const urls = stack.nodes.product.map((n) => n.url);
  const mentors = await stack.fixtures.users(SESSIONS, "mentor");
  const learners = await stack.fixtures.users(SESSIONS * (TYPERS - 1 + JOINERS));
  const sessions = [];
  for (let s = 0; s < SESSIONS; s++) {
    const members = learners.slice(s * (TYPERS - 1 + JOINERS), (s + 1) * (TYPERS - 1 + JOINERS));
    const users = [mentors[s], ...members];
    const cohortId = await stack.fixtures.cohort(users);
    // through the API, as a mentor creates one: the session gets its snapshot row (compaction depends on it)
    const created = await api(urls[s % 2], "POST", `/api/cohorts/${cohortId}/sessions`, {
      token: mentors[s].token,
      body: { title: `Big ${s}`, language: "typescript", initialCode: "i".repeat(DOC_CHUNK) },
    });
    if (created.status !== 201) throw new Error(`session create failed: ${created.status}`);
    const id: string = created.body.session.id;
    const started = await api(urls[(s + 1) % 2], "POST", `/api/sessions/${id}/start`, { token: mentors[s].token });
    if (started.status !== 200) throw new Error(`session start failed: ${started.status}`);
    const writer = await connect(urls[s % 2], mentors[s].token, { transports: ["websocket"] });
    try {
      const joined = await emitAck(writer, "session:join", { sessionId: id });
      if (!joined.ok) throw new Error(`joining to grow the document failed: ${JSON.stringify(joined.error)}`);
      for (let k = 0; k < 3; k++) {
        const doc = new Y.Doc();
        let update: Uint8Array | null = null;
        doc.once("update", (u: Uint8Array) => (update = u));
        doc.getText("code").insert(0, String(k).repeat(DOC_CHUNK));
        const ack = await emitAck(writer, "doc:update", { sessionId: id, update: update! });
        if (!ack.ok) throw new Error(`growing the document failed: ${JSON.stringify(ack.error)}`);
      }
    } finally {
      writer.close();
    }
    sessions.push({ id, mentor: mentors[s], typers: users.slice(0, TYPERS), joiners: users.slice(TYPERS) });
  }
  return sessions;
}

/** The stored document's text of each session. */
async function storedTexts(urls: string[], sessions: { id: string; mentor: { token: string } }[]) {
  return Promise.all(
    sessions.map(async (s, i) => {
      const res = await api(urls[i % 2], "GET", `/api/sessions/${s.id}/document`, { token: s.mentor.token });
      if (res.status !== 200) throw new Error(`GET document: ${res.status}`);
      return String(res.body.text);
    }),
  );
}

/**
 * Every mirrored joiner's document against the stored one, and every typer's acknowledged updates looked for in
 * the stored text.
 */
async function convergence(
  urls: string[],
  sessions: { id: string; mentor: { token: string } }[],
  shards: Shard[],
  reports: ShardLoad[],
  settled: ShardSettled[],
) {
  const textsAfter = await storedTexts(urls, sessions);
  const texts = new Map(sessions.map((s, i) => [s.id, textsAfter[i]]));
  const stored = new Map(sessions.map((s, i) => [s.id, sha1(textsAfter[i])]));
  const docs = settled.flatMap((r) => r.docs);
  // only the mirroring joiners report documents (the others counted bytes)
  const diverged = docs.filter((d) => d.sha1 !== stored.get(d.sessionId)).length;
  // a typer's later updates build on its earlier ones: after a refused or timed-out update, Yjs holds the rest
  // as pending, so only typers without a failure are checked: their letter appears once per acknowledged update
  let lost = 0;
  let checkedTypers = 0;
  shards.forEach((sh, k) =>
    sh.typers.forEach((t, i) => {
      if (reports[k].failed[i] > 0) return;
      checkedTypers++;
      const found = texts.get(t.sessionId)!.split(t.char).length - 1;
      lost += Math.max(0, reports[k].acked[i] - found);
    }),
  );
  return {
    joinedClients: docs.length,
    diverged,
    /** Typers without a refused or timed-out update, whose acknowledged updates are all looked for. */
    checkedTypers,
    lostUpdates: lost,
  };
}

export async function runBigDocs() {
  const loadBefore = loadAverage();
  log(`load average ${loadBefore.join(" ")}${loadBefore[0] > 1.5 ? " — the machine is busy: read figures as upper bounds" : ""}`);
  const profDir = benchConfig.profileDir ? resolve(benchConfig.profileDir) : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const productFlags = [
    ...(benchConfig.serverNodeOptions?.split(/\s+/).filter(Boolean) ?? []),
    ...(profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : []),
  ];
  // typers catching up after a stall of the machine send bursts the per-socket limit would refuse
  const floor = benchConfig.server !== "product";
  const loaded = floor ? "floor" : "product";
  const stack = await startStack({
    targets: floor ? ["product", "floor"] : ["product"],
    durableFloor: benchConfig.server === "durable-floor",
    productFlags,
    productEnv: { SOCKET_RATE_LIMIT: "0" },
  });
  const shards: Shard[] = [];
  const watchdog = setTimeout(() => {
    console.error(`big-docs: over its ${BUDGET_MS / 1000} s budget, stopping`);
    shards.forEach((sh) => sh.close());
    void stack.close().finally(() => process.exit(1));
  }, BUDGET_MS);
  try {
    const urls = stack.nodes.product.map((n) => n.url);
    log(`setting up ${SESSIONS} sessions of about ${Math.round((4 * DOC_CHUNK) / 1024)} KB`);
    const sessions = await setup(stack);
    // the servers the clients load: cohort-live's nodes, or (BENCH_SERVER=floor) the floor servers
    const loadUrls = stack.nodes[loaded].map((n) => n.url);

    // typer i and joiner j of a session: node i (j) modulo the nodes loaded, client process by a running count
    // over all sessions
    // typer i of a session inserts letter i (the documents start as digits)
    const typers = sessions.flatMap((s) =>
      s.typers.map((u, i) => ({
        token: u.token,
        sessionId: s.id,
        node: i % benchConfig.loadedNodes,
        char: String.fromCharCode(97 + i),
      })),
    );
    // the same join schedule in every run (BENCH_SEED), so runs differ by the servers and the machine only
    const joinAt = seededRandom(benchConfig.seed);
    const joiners = sessions.flatMap((s) =>
      s.joiners.map((u, j) => ({
        token: u.token,
        sessionId: s.id,
        node: j % benchConfig.loadedNodes,
        afterMs: joinAt() * JOIN_SECONDS * 1000,
        mirror: j < benchConfig.mirrorsPerSession,
      })),
    );
    for (let k = 0; k < SHARDS; k++) {
      const mine = <T>(_: T, i: number) => i % SHARDS === k;
      shards.push(new Shard(typers.filter(mine), joiners.filter(mine)));
    }
    log(`${SHARDS} client processes: connecting and joining ${typers.length} typers`);
    const ready = await Promise.all(
      shards.map((sh) =>
        sh.request(
          {
            type: "init",
            urls: loadUrls,
            typers: sh.typers,
            joiners: sh.joiners,
            rate: (RATE * sh.typers.length) / typers.length,
            seconds: LOAD_SECONDS,
          },
          "ready",
        ),
      ),
    );
    const documentBytes = percentile(
      ready.flatMap((r) => r.stateBytes),
      50,
    );

    log(
      `load: ${RATE} updates/s from ${typers.length} typers while ${joiners.length} members join over ${JOIN_SECONDS} s` +
        (floor ? " — on the floor servers (no storage: no convergence check)" : ""),
    );
    const rss = loadUrls.map(() => ({ before: 0, peak: 0, after: 0 }));
    stack.rss(loaded).forEach((b, i) => (rss[i].before = rss[i].peak = b));
    const rssTimer = setInterval(() => stack.rss(loaded).forEach((b, i) => (rss[i].peak = Math.max(rss[i].peak, b))), 250);
    const cpuBefore = stack.cpu(loaded);
    const scrapeAll = () => (floor ? Promise.resolve(null) : Promise.all(urls.map(scrape)));
    const acksBefore = (await scrapeAll())?.map((s) => s.acks);
    const machineBefore = machineJiffies();
    const prober = startHealthzProber(loadUrls);
    const at = Date.now() + 300;
    const reports: ShardLoad[] = await Promise.all(shards.map((sh) => sh.request({ type: "go", at }, "done")));
    const healthz = await prober.stop();
    clearInterval(rssTimer);
    const machineAfter = machineJiffies();
    const cpuAfter = stack.cpu(loaded);
    const scraped = await scrapeAll();
    const acksAfter = scraped?.map((s) => s.acks);
    stack.rss(loaded).forEach((b, i) => (rss[i].after = b));
    const loadAfter = loadAverage();

    log("waiting for the joiners' documents to settle, then comparing them with the stored documents");
    const settled = await Promise.all(shards.map((sh) => sh.request({ type: "settle" }, "settled")));
    // the floor servers store nothing: there the documents are not compared
    const checks = floor ? null : await convergence(urls, sessions, shards, reports, settled);
    const diverged = checks?.diverged ?? 0;
    const lost = checks?.lostUpdates ?? 0;

    const joinMs = reports.flatMap((r) => r.joinMs);
    const updateMs = reports.flatMap((r) => r.updateMs);
    const failures: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    const loadSeconds = Math.max(...reports.map((r) => r.wallSeconds));
    const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
    const targets = {
      joinP99: percentile(joinMs, 99) <= TARGETS.joinP99Ms,
      updateP99: percentile(updateMs, 99) <= TARGETS.updateP99Ms,
      healthzMax: Math.max(...healthz) <= TARGETS.healthzMaxMs,
    };
    const result = {
      scenario: "big-docs",
      servers: benchConfig.server,
      /** Of the two nodes, how many the clients connected to. */
      loadedNodes: benchConfig.loadedNodes,
      date: new Date().toISOString(),
      machine: `${cpuinfo.match(/model name\s*:\s*(.*)/)?.[1] ?? "?"}, ${cpuinfo.match(/^processor/gm)?.length ?? "?"} cores`,
      loadAverage: { before: loadBefore, after: loadAfter },
      sessions: SESSIONS,
      documentBytes,
      typers: typers.length,
      joiners: joiners.length,
      clientProcesses: SHARDS,
      clientNice: benchConfig.clientNice ?? 0,
      joins: stats(joinMs),
      updates: { ...stats(updateMs), perSecond: round(updateMs.length / loadSeconds) },
      /** The same acks timed by the servers, from receiving the event to sending its ack (p99 to a bucket bound). */
      serverSide:
        acksBefore && acksAfter
          ? {
              join: serverAcks(acksBefore, acksAfter, "session:join"),
              update: serverAcks(acksBefore, acksAfter, "doc:update"),
            }
          : null,
      healthz: {
        probes: healthz.length,
        p99: round(percentile(healthz, 99)),
        max: round(Math.max(...healthz)),
        over100ms: healthz.filter((h) => h > 100).length,
      },
      /** Each node's event-loop delay during the load (prom-client's monitorEventLoopDelay, 10 ms resolution). */
      serverLoopDelayMs: scraped?.map((s) => s.loopDelayMs) ?? null,
      rssMB: rss.map((r) => ({ before: mb(r.before), peak: mb(r.peak), after: mb(r.after) })),
      nodesCpuPercentOfOneCore: cpuAfter.map((c, i) => Math.round(((c - cpuBefore[i]) / loadSeconds) * 100)),
      machineBusyPercent: Math.round(
        ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
      ),
      generator: reports.map((r) => ({
        cpuPercentOfOneCore: Math.round((r.cpuSeconds / r.wallSeconds) * 100),
        eluSockets: round2(r.elu.sockets),
        eluYjs: round2(r.elu.yjs),
        loopDelayP99Ms: round(r.loopDelayMs.p99),
        joinStateMB: round(r.stateBytes / 1024 / 1024),
        deliveriesPerSecond: Math.round(r.deliveries / r.wallSeconds),
      })),
      applyJoinStateMs: stats(settled.flatMap((r) => r.applyStateMs)),
      convergence: checks && { ...checks, settledAfterMs: Math.round(Math.max(...settled.map((r) => r.waitedMs))) },
      failures,
      serverWarnings: problemCounts(stack.problems(loaded)),
      targets,
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
    writeFileSync(new URL("./results/big-docs.json", import.meta.url), JSON.stringify(result, null, 2) + "\n");
    const pass = Object.values(targets).every(Boolean) && !diverged && lost === 0 && Object.keys(failures).length === 0;
    log(`${pass ? "PASS" : "FAIL"} — written to bench/results/big-docs.json`);
    process.exitCode = pass ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
    shards.forEach((sh) => sh.close());
    await stack.close();
  }
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const round2 = (n: number) => Math.round(n * 100) / 100;
