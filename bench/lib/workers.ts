import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Histogram } from "./histogram.js";
import { CLIENT_V8_FLAGS } from "./procs.js";
import type { FromWorker, LoadMode, SocketSpec, ToWorker, WorkerResult } from "./protocol.js";

const WORKER = fileURLToPath(new URL("./load-worker.ts", import.meta.url));

class Worker {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  constructor() {
    this.child = fork(WORKER, [], { execArgv: [...process.execArgv, ...CLIENT_V8_FLAGS] });
    this.child.on("message", (msg: FromWorker) => {
      const w = this.waiting.get(msg.type);
      this.waiting.delete(msg.type);
      w?.resolve(msg);
    });
    this.child.on("exit", (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`a load-generator process exited with ${code}`));
      this.waiting.clear();
    });
  }
  request<T extends FromWorker["type"]>(msg: ToWorker, reply: T): Promise<Extract<FromWorker, { type: T }>> {
    const p = new Promise<Extract<FromWorker, { type: T }>>((resolve, reject) =>
      this.waiting.set(reply, { resolve: resolve as (m: FromWorker) => void, reject }),
    );
    this.child.send(msg);
    return p;
  }
  stop() {
    if (this.child.connected) this.child.disconnect();
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
  }
}

export interface GeneratorLoad {
  /** Percent of one core per load-generator process. */
  cpuPercent: number[];
  eventLoopUtilization: number[];
}

export interface LoadResult {
  sent: number;
  failures: Record<string, number>;
  ack: Histogram;
  deliveryLatency: Histogram;
  deliveries: number;
  perSecondMaxAckMs: number[];
  generator: GeneratorLoad;
}

/** The simulated clients, spread round-robin over `n` load-generator processes. */
export class LoadGenerator {
  private readonly workers: Worker[];
  constructor(n: number) {
    this.workers = Array.from({ length: n }, () => new Worker());
  }

  async connect(specs: SocketSpec[], concurrency = 25): Promise<number> {
    const parts = this.workers.map((_, k) => specs.filter((_s, i) => i % this.workers.length === k));
    const replies = await Promise.all(
      this.workers.map((w, k) => w.request({ type: "connect", specs: parts[k], concurrency }, "connected")),
    );
    const failures: Record<string, number> = {};
    for (const r of replies) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    if (Object.keys(failures).length) console.log(`[bench] connect failures: ${JSON.stringify(failures)}`);
    return replies.reduce((n, r) => n + r.count, 0);
  }

  /** Runs `mode` at `rate` events a second in all for `seconds`, starting together in every process. */
  async run(mode: LoadMode, rate: number, seconds: number): Promise<LoadResult> {
    const at = Date.now() + 200;
    const n = this.workers.length;
    const results: WorkerResult[] = await Promise.all(
      this.workers.map((w) => w.request({ type: "run", mode, rate: rate / n, seconds, at }, "result")),
    );
    const ack = new Histogram();
    const deliveryLatency = new Histogram();
    const failures: Record<string, number> = {};
    const perSecondMaxAckMs: number[] = [];
    for (const r of results) {
      ack.merge(r.ack);
      deliveryLatency.merge(r.deliveryLatency);
      for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
      r.perSecondMaxAckMs.forEach((v, i) => (perSecondMaxAckMs[i] = Math.max(perSecondMaxAckMs[i] ?? 0, v)));
    }
    return {
      sent: results.reduce((s, r) => s + r.sent, 0),
      failures,
      ack,
      deliveryLatency,
      deliveries: results.reduce((s, r) => s + r.deliveries, 0),
      perSecondMaxAckMs,
      generator: {
        cpuPercent: results.map((r) => Math.round((r.cpuSeconds / r.wallSeconds) * 100)),
        eventLoopUtilization: results.map((r) => Math.round(r.eventLoopUtilization * 100) / 100),
      },
    };
  }

  /** When each socket got its first `notification` (epoch ms, sub-millisecond). */
  async notified(): Promise<number[]> {
    const replies = await Promise.all(this.workers.map((w) => w.request({ type: "notified" }, "notified")));
    return replies.flatMap((r) => r.times);
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.request({ type: "close" }, "closed")));
  }

  stop() {
    this.workers.forEach((w) => w.stop());
  }
}
