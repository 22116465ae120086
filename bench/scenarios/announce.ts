import { performance } from "node:perf_hooks";
import { round, type BenchContext, type Row } from "../lib/measure.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

/** An announcement to a cohort with 1,000 members online (on both nodes): time until the last one has it. */
export async function announce(ctx: BenchContext): Promise<Row[]> {
  const MEMBERS = 1_000;
  const [mentor, ...learners] = await ctx.stack.fixtures.users(MEMBERS + 1);
  const cohortId = await ctx.stack.fixtures.cohort([mentor, ...learners]);
  const urls = ctx.stack.nodes.product.map((n) => n.url);
  const online = await ctx.load.connect(learners.map((u, i) => ({ url: urls[i % 2], token: u.token })));
  await sleep(1_000);
  const t0 = now();
  const res = await fetch(`${urls[0]}/api/cohorts/${cohortId}/announcements`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${mentor.token}` },
    body: JSON.stringify({ title: "Bench", body: "Everyone, look at this." }),
  });
  const answered = now() - t0;
  if (res.status !== 201) throw new Error(`announcement: ${res.status} ${await res.text()}`);
  let times: number[] = [];
  for (let waited = 0; waited < 10_000; waited += 100) {
    times = await ctx.load.notified();
    if (times.length >= online) break;
    await sleep(100);
  }
  await ctx.load.close();
  const last = Math.max(...times) - t0;
  ctx.log(
    `product: ${times.length}/${online} members notified; POST answered in ${round(answered)} ms, last delivery after ${round(last)} ms`,
  );
  if (times.length < online) ctx.log(`product: ${online - times.length} members never got the announcement`);
  return [
    {
      scenario: "announce",
      metric: `last delivery (${online} online)`,
      product: times.length < online ? NaN : last,
      unit: "ms",
      maxValue: 500,
    },
  ];
}
