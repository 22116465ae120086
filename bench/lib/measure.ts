import type { LoadMode, SocketSpec } from "./protocol.js";
import type { Stack, Target } from "./stack.js";
import type { LoadGenerator, LoadResult } from "./workers.js";

export interface BenchOptions {
  seconds: number;
  /** Multiplies every scenario's event rate (a busy machine: compare ratios at a lower load). */
  rateScale: number;
  targets: Target[];
  log: (msg: string) => void;
}

export interface BenchContext extends BenchOptions {
  stack: Stack;
  load: LoadGenerator;
}

export interface Measurement extends LoadResult {
  /** Percent of one core, per server node. */
  serverCpuPercent: number[];
  /** Server CPU microseconds per delivery (both nodes). */
  cpuUsPerDelivery: number;
  /**
   * Server CPU microseconds per event the clients sent: the same work for both targets when one relays fewer
   * deliveries (cohort-live coalesces a socket's awareness states sent less than 50 ms apart into the newest).
   */
  cpuUsPerSent: number;
  deliveriesPerSecond: number;
}

/** Connects `specs` to `target`, runs `mode` at `rate`/s for `seconds` while sampling the servers' CPU, disconnects. */
export async function measure(
  ctx: BenchContext,
  target: Target,
  specs: (url: string, i: number) => SocketSpec,
  count: number,
  mode: LoadMode,
  rate: number,
): Promise<Measurement> {
  const urls = ctx.stack.nodes[target].map((n) => n.url);
  const connected = await ctx.load.connect(Array.from({ length: count }, (_, i) => specs(urls[i % urls.length], i)));
  ctx.log(`${target}: ${connected} sockets, ${mode} at ${rate}/s for ${ctx.seconds} s`);
  const cpuBefore = ctx.stack.cpu(target);
  const started = Date.now();
  const result = await ctx.load.run(mode, rate, ctx.seconds);
  const wall = (Date.now() - started) / 1000;
  const cpu = ctx.stack.cpu(target).map((c, i) => c - cpuBefore[i]);
  await ctx.load.close();
  const cpuTotal = cpu.reduce((a, b) => a + b, 0);
  return {
    ...result,
    serverCpuPercent: cpu.map((c) => Math.round((c / wall) * 100)),
    cpuUsPerDelivery: (cpuTotal * 1e6) / Math.max(1, result.deliveries),
    cpuUsPerSent: (cpuTotal * 1e6) / Math.max(1, result.sent),
    deliveriesPerSecond: Math.round(result.deliveries / wall),
  };
}

export interface Row {
  scenario: string;
  metric: string;
  baseline?: number;
  product: number;
  unit: string;
  /** Pass when product ≤ this ratio of the baseline's figure. */
  maxRatio?: number;
  /** Pass when the product's figure is ≤ this. */
  maxValue?: number;
}

export const round = (n: number, digits = 2) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : NaN);

export function ratioRows(scenario: string, b: Measurement | undefined, p: Measurement, latency: "ack" | "delivery"): Row[] {
  const lat = (m: Measurement) => (latency === "ack" ? m.ack : m.deliveryLatency);
  return [
    {
      scenario,
      metric: "server CPU per delivery",
      baseline: b?.cpuUsPerDelivery,
      product: p.cpuUsPerDelivery,
      unit: "µs",
      maxRatio: 1.0,
    },
    { scenario, metric: "server CPU per event sent", baseline: b?.cpuUsPerSent, product: p.cpuUsPerSent, unit: "µs" },
    { scenario, metric: `${latency} p50`, baseline: b && lat(b).percentile(50), product: lat(p).percentile(50), unit: "ms" },
    {
      scenario,
      metric: `${latency} p99`,
      baseline: b && lat(b).percentile(99),
      product: lat(p).percentile(99),
      unit: "ms",
      maxRatio: 1.2,
    },
  ];
}

/** One line per target: what the servers and the load generator did, so a saturated generator is visible. */
export function describe(target: Target, m: Measurement): string {
  const failures = Object.keys(m.failures).length ? ` failures ${JSON.stringify(m.failures)}` : "";
  return (
    `${target.padEnd(8)} sent ${m.sent}, ${m.deliveriesPerSecond} deliveries/s; servers ${m.serverCpuPercent.join(" + ")} % of a core, ` +
    `${round(m.cpuUsPerDelivery)} µs per delivery; delivery p50/p99 ${round(m.deliveryLatency.percentile(50))}/${round(m.deliveryLatency.percentile(99))} ms; ` +
    `ack p50/p99/max ${round(m.ack.percentile(50))}/${round(m.ack.percentile(99))}/${round(m.ack.max)} ms; ` +
    `generator cpu ${m.generator.cpuPercent.join("/")} %, event-loop utilisation ${m.generator.eventLoopUtilization.join("/")}${failures}`
  );
}
