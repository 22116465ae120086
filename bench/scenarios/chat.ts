import type { Target } from "../lib/stack.js";
import { round, type BenchContext, type Row } from "../lib/measure.js";
import { roomLoad } from "../lib/rooms.js";

/** Chat: 10 sessions × 20 members, 200 messages a second in all; the ack p99 and the worst second of the run. */
export async function chat(ctx: BenchContext): Promise<Row[]> {
  const { rows, results } = await roomLoad(ctx, "chat", {
    rooms: 10,
    members: 20,
    mode: "chat",
    ratePerMember: 1,
    latency: "ack",
  });
  const worst = (t: Target) => {
    const seconds = results[t]?.perSecondMaxAckMs ?? [];
    const max = Math.max(0, ...seconds);
    if (!results[t]) return max;
    ctx.log(`${t}: worst second ${round(max)} ms (second ${seconds.indexOf(max)} of ${seconds.length})`);
    // periodic stalls show as a regular spacing of the slow seconds
    const slow = seconds.flatMap((ms, i) => (ms > 50 ? [`${i}s:${Math.round(ms)}`] : []));
    ctx.log(`${t}: ${slow.length} seconds with an ack over 50 ms${slow.length ? `: ${slow.slice(0, 40).join(" ")}` : ""}`);
    return max;
  };
  if (results.before) worst("before");
  const baselineWorst = results.baseline ? worst("baseline") : undefined;
  if (!results.product) return [];
  return [
    ...rows.map((r) => (r.metric === "ack p99" ? { ...r, maxValue: 15 } : r)),
    {
      scenario: "chat",
      metric: "slowest ack of the run",
      baseline: baselineWorst,
      product: worst("product"),
      unit: "ms",
      maxValue: 50,
    },
  ];
}
