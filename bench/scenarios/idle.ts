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
    const connected = await ctx.load.connect(
      Array.from({ length: sockets }, (_, i) => ({ url: urls[i % urls.length], token: users[i % users.length].token })),
    );
    // long enough for V8's memory reducer to collect the connections' garbage once allocation stops
    await sleep(15_000);
    const after = ctx.stack.rss(target);
    const grown = after.reduce((n, a, i) => n + a - before[i], 0);
    perSocket[target] = grown / 1024 / Math.max(1, connected);
    ctx.log(
      `${target}: ${connected} idle sockets, ${Math.round(perSocket[target])} KB each; RSS ${before.map(mb).join(" + ")} → ${after.map(mb).join(" + ")} MB`,
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

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
