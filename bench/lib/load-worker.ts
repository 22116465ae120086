/**
 * One load-generator process: some of the simulated clients (real socket.io-client sockets). The bench forks
 * several so no single event loop receiving every delivery limits what is measured; each reports its own CPU
 * and event-loop utilisation so a saturated generator shows in the results.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { io as ioClient, type Socket } from "socket.io-client";
import * as Y from "yjs";
import { Histogram } from "./histogram.js";
import type { FromWorker, LoadMode, SocketSpec, ToWorker, WorkerResult } from "./protocol.js";

interface Client {
  spec: SocketSpec;
  socket: Socket;
  doc?: Y.Doc;
  busy: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const send = (msg: FromWorker) => process.send!(msg);

let clients: Client[] = [];
let deliveries = 0;
let deliveryLatency = new Histogram();
const notified = new Map<string, number>();

function open(spec: SocketSpec): Promise<Socket> {
  const socket = ioClient(spec.url, {
    auth: { token: spec.token },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: 20_000,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}

function emitAck(socket: Socket, event: string, payload: unknown): Promise<{ ok: boolean; error?: { code: string } }> {
  return socket.timeout(20_000).emitWithAck(event, payload);
}

async function connectAll(specs: SocketSpec[], concurrency: number) {
  const failures: Record<string, number> = {};
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < specs.length) {
        const spec = specs[next++];
        try {
          const socket = await open(spec);
          const client: Client = { spec, socket, busy: false };
          socket.on("awareness:update", (p: { state: { t?: number } | null }) => {
            deliveries++;
            if (p.state?.t) deliveryLatency.record(now() - p.state.t);
          });
          socket.on("doc:update", () => deliveries++);
          socket.on("chat:message", () => deliveries++);
          socket.on("notification", () => {
            if (!notified.has(spec.token)) notified.set(spec.token, now());
          });
          if (spec.sessionId) {
            const ack = await emitAck(socket, "session:join", { sessionId: spec.sessionId });
            if (!ack.ok) throw new Error(`join: ${ack.error?.code}`);
            client.doc = new Y.Doc();
          }
          clients.push(client);
        } catch (err) {
          const key = (err as Error).message.slice(0, 60);
          failures[key] = (failures[key] ?? 0) + 1;
        }
      }
    }),
  );
  send({ type: "connected", count: clients.length, failures, ms: Date.now() - started });
}

async function run(mode: LoadMode, rate: number, seconds: number, at: number) {
  while (Date.now() < at) await sleep(1);
  const ack = new Histogram();
  const failures: Record<string, number> = {};
  const perSecondMax: number[] = [];
  deliveries = 0;
  deliveryLatency = new Histogram();
  const inflight = new Set<Promise<void>>();
  const cpuBefore = process.cpuUsage();
  const eluBefore = performance.eventLoopUtilization();
  const started = performance.now();
  let sent = 0;
  let skipped = 0;

  const fire = (client: Client) => {
    const sessionId = client.spec.sessionId!;
    let payload: unknown;
    if (mode === "awareness") {
      payload = {
        sessionId,
        clientId: client.doc!.clientID,
        state: { cursor: { anchor: sent % 500, head: sent % 500 }, t: now() },
      };
    } else if (mode === "doc") {
      if (client.busy) return void skipped++;
      let update: Uint8Array | undefined;
      client.doc!.once("update", (u: Uint8Array) => (update = u));
      client.doc!.getText("code").insert(0, String.fromCharCode(97 + (sent % 26)));
      payload = { sessionId, update };
    } else {
      payload = { sessionId, body: `message ${sent}`, clientId: randomUUID() };
    }
    const event = mode === "awareness" ? "awareness:update" : mode === "doc" ? "doc:update" : "chat:send";
    client.busy = true;
    const t0 = performance.now();
    const p = emitAck(client.socket, event, payload).then(
      (r) => {
        client.busy = false;
        const ms = performance.now() - t0;
        if (!r.ok) return void (failures[r.error?.code ?? "?"] = (failures[r.error?.code ?? "?"] ?? 0) + 1);
        ack.record(ms);
        const second = Math.floor((t0 - started) / 1000);
        perSecondMax[second] = Math.max(perSecondMax[second] ?? 0, ms);
      },
      () => {
        client.busy = false;
        failures.TIMEOUT = (failures.TIMEOUT ?? 0) + 1;
      },
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  if (mode !== "idle" && clients.length > 0) {
    while (performance.now() - started < seconds * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      while (sent < due) {
        fire(clients[(sent * 7919) % clients.length]);
        sent++;
      }
      await sleep(2);
    }
  } else await sleep(seconds * 1000);
  await Promise.all([...inflight]);
  // the relays still on their way: until none arrived for a second (at most 30 s)
  for (let quiet = 0, seen = deliveries, waited = 0; quiet < 1000 && waited < 30_000; waited += 100) {
    await sleep(100);
    quiet = deliveries === seen ? quiet + 100 : 0;
    seen = deliveries;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const result: WorkerResult = {
    type: "result",
    sent: sent - skipped,
    failures,
    ack: ack.toData(),
    deliveryLatency: deliveryLatency.toData(),
    deliveries,
    perSecondMaxAckMs: Array.from(perSecondMax, (v) => v ?? 0),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    eventLoopUtilization: performance.eventLoopUtilization(eluBefore).utilization,
    wallSeconds: (performance.now() - started) / 1000,
  };
  send(result);
}

function closeAll() {
  for (const c of clients) c.socket.close();
  clients = [];
  notified.clear();
  send({ type: "closed" });
}

process.on("message", (msg: ToWorker) => {
  const fail = (err: unknown) => {
    console.error(err);
    process.exit(1);
  };
  if (msg.type === "connect") connectAll(msg.specs, msg.concurrency).catch(fail);
  else if (msg.type === "run") run(msg.mode, msg.rate, msg.seconds, msg.at).catch(fail);
  else if (msg.type === "notified") send({ type: "notified", times: [...notified.values()] });
  else if (msg.type === "close") closeAll();
});
process.on("disconnect", () => process.exit(0));
