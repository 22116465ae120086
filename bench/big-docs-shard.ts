/**
 * One client process of the big-docs scenario (forked by bench/big-docs.ts): some of the typers and some of the
 * joiners. Its main thread only handles sockets and timing; the joiners' documents live in a worker thread
 * (bench/lib/doc-mirrors.ts) that applies each join state and every relayed update, so that a megabyte apply
 * never holds an ack that has already arrived. Reports its CPU and both threads' event-loop utilisation.
 * The mirrored joiners are socket.io-client sockets; the typers and the other joiners speak the same protocol
 * through the lean bench/lib/wire-client.ts, so the generator takes less of the cores the servers run on.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import * as Y from "yjs";
import { type ClientSocket, connect, emitAck } from "../test/support/sockets.js";
import type { FromShard, JoinerSpec, MirrorsReport, ShardLoad, ToShard, TyperSpec } from "./lib/big-docs-protocol.js";
import { type WireSocket, wireConnect } from "./lib/wire-client.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const send = (msg: FromShard) => process.send!(msg);
/** Relayed updates go to the Yjs thread in batches, this often. */
const FLUSH_MS = 20;
/** The shard is settled once no update has arrived for this long (at most SETTLE_MAX_MS after the load). */
const QUIET_MS = 1500;
const SETTLE_MAX_MS = 30_000;

/** The Yjs thread: a worker running a TypeScript file needs tsx registered inside it. */
function startMirrors(): Worker {
  const api = import.meta.resolve("tsx/esm/api");
  const target = new URL("./lib/doc-mirrors.ts", import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(target)}); })`;
  return new Worker(code, { eval: true });
}

/** A socket.io-client socket behind the wire client's interface. */
const viaSocketIo = (socket: ClientSocket): WireSocket => ({
  on: (event, handler) => void socket.on(event, handler as never),
  emitAck: (event, payload) => emitAck(socket, event, payload),
  close: () => socket.close(),
});

interface Typer {
  spec: TyperSpec;
  socket: WireSocket;
  /**
   * The updates this typer sends, in order, made before the load from a private document: each inserts one
   * character at the start of the typer's own text (the generator's Yjs work kept out of the measured seconds).
   */
  updates: Uint8Array[];
  /** How many of `updates` were sent. */
  next: number;
  acked: number;
  failed: number;
}

const mirrors = startMirrors();
let pending: [number, Uint8Array, boolean][] = [];
let pendingBytes: ArrayBuffer[] = [];
let lastDelivery = performance.now();
let deliveries = 0;
/** Joiner indexes whose join was acknowledged (their documents are compared at the end). */
const joined: number[] = [];

/** Queues an update (or a join state) for a joiner's document: an exact copy, transferred to the Yjs thread. */
function mirror(client: number, bytes: Uint8Array | ArrayBuffer, isState: boolean) {
  const copy = bytes instanceof ArrayBuffer ? new Uint8Array(bytes.slice(0)) : new Uint8Array(bytes);
  pending.push([client, copy, isState]);
  pendingBytes.push(copy.buffer);
}
function flush() {
  if (pending.length === 0) return;
  mirrors.postMessage({ type: "apply", items: pending }, pendingBytes);
  pending = [];
  pendingBytes = [];
}

/** `count` updates of a private document, each inserting `char` at the start of its text. */
function typedUpdates(char: string, count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < count; i++) doc.getText("code").insert(0, char);
  doc.destroy();
  return updates;
}

async function init(urls: string[], specs: TyperSpec[]): Promise<{ typers: Typer[]; stateBytes: number[] }> {
  // the load sends at most rate × seconds updates, spread evenly over this shard's typers
  const updatesPerTyper = Math.ceil((rate * seconds) / Math.max(1, specs.length)) + 1;
  const stateBytes: number[] = [];
  const typers = await Promise.all(
    specs.map(async (spec): Promise<Typer> => {
      const socket = await wireConnect(urls[spec.node], spec.token);
      socket.on("doc:update", () => {
        deliveries++;
        lastDelivery = performance.now();
      });
      const ack = await socket.emitAck("session:join", { sessionId: spec.sessionId });
      if (!ack.ok) throw new Error(`a typer's join failed: ${JSON.stringify(ack.error)}`);
      stateBytes.push(new Uint8Array(ack.state).byteLength);
      return { spec, socket, updates: typedUpdates(spec.char, updatesPerTyper), next: 0, acked: 0, failed: 0 };
    }),
  );
  return { typers, stateBytes };
}

async function load(urls: string[], typers: Typer[], joiners: JoinerSpec[], rate: number, seconds: number, at: number) {
  while (Date.now() < at) await sleep(1);
  const updateMs: number[] = [];
  const joinMs: number[] = [];
  const failures: Record<string, number> = {};
  const fail = (code: string) => (failures[code] = (failures[code] ?? 0) + 1);
  let stateBytes = 0;
  const deliveriesBefore = deliveries;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  const eluBefore: [EventLoopUtilization, EventLoopUtilization] = [
    performance.eventLoopUtilization(),
    mirrors.performance.eventLoopUtilization(),
  ];
  const flusher = setInterval(flush, FLUSH_MS);
  const started = performance.now();

  const join = async (spec: JoinerSpec, index: number) => {
    await sleep(started + spec.afterMs - performance.now());
    const socket = await (
      spec.mirror
        ? connect(urls[spec.node], spec.token, { transports: ["websocket"] }).then(viaSocketIo)
        : wireConnect(urls[spec.node], spec.token)
    ).catch(() => null);
    if (!socket) return void fail("connect");
    // relayed updates may arrive before the ack: applied in arrival order, Yjs holds them until they fit
    socket.on("doc:update", (p) => {
      deliveries++;
      lastDelivery = performance.now();
      if (spec.mirror) mirror(index, p.update, false);
    });
    const t0 = performance.now();
    const ack = await socket.emitAck("session:join", { sessionId: spec.sessionId }).catch(() => null);
    if (!ack) return void fail("join TIMEOUT");
    if (!ack.ok) return void fail(`join ${ack.error.code}`);
    joinMs.push(performance.now() - t0);
    stateBytes += ack.state.byteLength;
    if (!spec.mirror) return;
    mirror(index, ack.state, true);
    joined.push(index);
  };
  const joining = Promise.all(joiners.map(join));

  let sent = 0;
  const inflight = new Set<Promise<void>>();
  const type = (t: Typer) => {
    const update = t.updates[t.next++];
    const t0 = performance.now();
    const refused = (code: string) => {
      t.failed++;
      fail(code);
    };
    const p = t.socket.emitAck("doc:update", { sessionId: t.spec.sessionId, update }).then(
      (ack) => {
        if (!ack.ok) return void refused(ack.error.code);
        t.acked++;
        updateMs.push(performance.now() - t0);
      },
      () => void refused("TIMEOUT"),
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  while (typers.length > 0 && performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    // a prime stride over this shard's typers: consecutive inserts go to different sessions
    for (; sent < due; sent++) type(typers[(sent * 7919) % typers.length]);
    await sleep(2);
  }
  await Promise.all([joining, ...inflight]);
  clearInterval(flusher);
  flush();
  loopDelay.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const report: ShardLoad = {
    type: "done",
    joinMs,
    updateMs,
    failures,
    sent,
    acked: typers.map((t) => t.acked),
    failed: typers.map((t) => t.failed),
    stateBytes,
    deliveries: deliveries - deliveriesBefore,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    wallSeconds: (performance.now() - started) / 1000,
    elu: {
      sockets: performance.eventLoopUtilization(eluBefore[0]).utilization,
      yjs: mirrors.performance.eventLoopUtilization(eluBefore[1]).utilization,
    },
    loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
  };
  send(report);
}

/** Waits for the relayed updates to stop, then reports every joined client's document. */
async function settle(joiners: JoinerSpec[]) {
  const started = performance.now();
  while (performance.now() - lastDelivery < QUIET_MS && performance.now() - started < SETTLE_MAX_MS) await sleep(100);
  flush();
  const report = await new Promise<MirrorsReport>((resolve) => {
    mirrors.once("message", resolve);
    mirrors.postMessage({ type: "report", clients: joined });
  });
  send({
    type: "settled",
    docs: report.docs.map((d) => ({ sessionId: joiners[d.client].sessionId, length: d.length, sha1: d.sha1 })),
    applyStateMs: report.stateMs,
    waitedMs: performance.now() - started,
  });
}

let urls: string[] = [];
let typers: Typer[] = [];
let joiners: JoinerSpec[] = [];
let rate = 0;
let seconds = 0;
const die = (err: unknown) => {
  console.error(err);
  process.exit(1);
};
process.on("message", (msg: ToShard) => {
  if (msg.type === "init") {
    ({ urls, joiners, rate, seconds } = msg);
    init(urls, msg.typers).then((r) => {
      typers = r.typers;
      send({ type: "ready", stateBytes: r.stateBytes });
    }, die);
  } else if (msg.type === "go") load(urls, typers, joiners, rate, seconds, msg.at).catch(die);
  else settle(joiners).catch(die);
});
process.on("disconnect", () => process.exit(0));
