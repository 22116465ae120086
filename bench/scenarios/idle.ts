import type { Target } from "../lib/stack.js";
import type { BenchContext, Row } from "../lib/measure.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Idle sockets: memory per connected, authenticated socket (RSS growth of both nodes ÷ sockets). */
export async function idle(ctx: BenchContext, sockets: number): Promise<Row[]> {
  const users = await ctx.stack.fixtures.users(Math.ceil(sockets / 20));
  const perSocket: Partial<Record<Target, number>> = {};
  for (const target of ctx.targets) {
    const urls = ctx.stack.nodes[target].map((n) => n.url);
    await sleep(2_000);
    const before = ctx.stack.rss(target);
    const heapBefore = await heapUsed(urls);
    const connected = await ctx.load.connect(
      Array.from({ length: sockets }, (_, i) => ({ url: urls[i % urls.length], token: users[i % users.length].token })),
    );
    // long enough for V8's memory reducer to collect the connections' garbage once allocation stops
    await sleep(15_000);
    const after = ctx.stack.rss(target);
    const heapAfter = await heapUsed(urls);
    const grown = after.reduce((n, a, i) => n + a - before[i], 0);
    perSocket[target] = grown / 1024 / Math.max(1, connected);
    ctx.log(
      `${target}: ${connected} idle sockets, ${Math.round(perSocket[target])} KB each; RSS ${before.map(mb).join(" + ")} → ${after.map(mb).join(" + ")} MB`,
    );
    if (heapAfter !== undefined && heapBefore !== undefined)
      ctx.log(
        `${target}: V8 heap in use grew ${Math.round((heapAfter - heapBefore) / 1024 / Math.max(1, connected))} KB per socket`,
      );
    await ctx.load.close();
  }
  if (perSocket.product === undefined) return [];
  return [
    {
      scenario: "idle",
      metric: `memory per socket (${sockets})`,
      baseline: perSocket.baseline,
      product: perSocket.product,
      unit: "KB",
      maxRatio: 1.0,
    },
  ];
}

/** Both nodes' V8 heap in use, from cohort-live's /metrics (the baseline has none: undefined). */
async function heapUsed(urls: string[]): Promise<number | undefined> {
  let total = 0;
  for (const url of urls) {
    const res = await fetch(`${url}/metrics`).catch(() => undefined);
    const m = res?.ok ? /^nodejs_heap_size_used_bytes (\S+)$/m.exec(await res.text()) : null;
    if (!m) return undefined;
    total += Number(m[1]);
  }
  return total;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
