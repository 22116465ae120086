import { performance } from "node:perf_hooks";
import { Histogram } from "../lib/histogram.js";
import { round, type BenchContext, type Row } from "../lib/measure.js";

const ROWS = 100_000;
const CONCURRENCY = 16;

/**
 * The inbox of a user with 100,000 notifications, newest first, read by 16 concurrent requests at a time over
 * both nodes. Falls back to the default (oldest first) order when the server does not take `order`.
 */
export async function inbox(ctx: BenchContext): Promise<Row[]> {
  const [user] = await ctx.stack.fixtures.users(1);
  ctx.log(`inserting ${ROWS} notifications`);
  await ctx.stack.fixtures.notifications(user, ROWS);
  const urls = ctx.stack.nodes.product.map((n) => n.url);
  const get = (url: string, query: string) =>
    fetch(`${url}/api/notifications${query}`, { headers: { authorization: `Bearer ${user.token}` } });
  // a server without `order` ignores it (unknown query keys are stripped): look at the order of what it answers
  const probe = await get(urls[0], "?order=desc");
  const page = probe.status === 200 ? ((await probe.json()) as { items: { createdAt: string }[] }).items : [];
  const newestFirst = page.length > 1 && page[0].createdAt > page[1].createdAt;
  const query = newestFirst ? "?order=desc" : "";
  if (!newestFirst) ctx.log(`product: ?order=desc is not supported (status ${probe.status}): benching the default order instead`);
  const latency = new Histogram();
  let errors = 0;
  const deadline = performance.now() + ctx.seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, k) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const res = await get(urls[k % 2], query);
        await res.arrayBuffer();
        if (res.status === 200) latency.record(performance.now() - t0);
        else errors++;
      }
    }),
  );
  ctx.log(
    `product: ${latency.count} requests (${round(latency.count / ctx.seconds)}/s), ${errors} errors; ` +
      `p50 ${latency.percentile(50)} ms, p99 ${latency.percentile(99)} ms, max ${round(latency.max)} ms`,
  );
  return [
    {
      scenario: "inbox",
      metric: `GET /api/notifications${query} p99`,
      product: latency.percentile(99),
      unit: "ms",
      maxValue: 20,
    },
  ];
}
