/** The servers' own ack durations (`cohort_live_ack_duration_seconds`), to tell server time from client time. */

/** Cumulative bucket counts by event and upper bound (seconds, "+Inf" included). */
export type AckBuckets = Map<string, Map<string, number>>;

/**
 * A node's ack buckets and its event-loop delay since the previous scrape (prom-client resets its event-loop
 * histogram at every collection, so a scrape before the load and one after it bound the load).
 */
export async function scrape(url: string): Promise<{ acks: AckBuckets; loopDelayMs: { p99: number; max: number } }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const acks: AckBuckets = new Map();
  const gauge = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN) * 10_000) / 10;
  for (const line of text.split("\n")) {
    const m = /^cohort_live_ack_duration_seconds_bucket\{(.*)\} (\S+)$/.exec(line);
    const event = m && /event="([^"]+)"/.exec(m[1])?.[1];
    const le = m && /le="([^"]+)"/.exec(m[1])?.[1];
    if (!m || !event || !le) continue;
    if (!acks.has(event)) acks.set(event, new Map());
    acks.get(event)!.set(le, Number(m[2]));
  }
  return {
    acks,
    loopDelayMs: { p99: gauge("nodejs_eventloop_lag_p99_seconds"), max: gauge("nodejs_eventloop_lag_max_seconds") },
  };
}

/**
 * For `event`, over the nodes and between two readings: the acks counted, the share (%) within each bound, and
 * the smallest bound holding 99 % of them (the server-side p99, to a bucket).
 */
export function serverAcks(before: AckBuckets[], after: AckBuckets[], event: string) {
  const totals = new Map<string, number>();
  after.forEach((node, i) => {
    for (const [le, n] of node.get(event) ?? []) totals.set(le, (totals.get(le) ?? 0) + n - (before[i].get(event)?.get(le) ?? 0));
  });
  const count = totals.get("+Inf") ?? 0;
  const withinPercent: Record<string, number> = {};
  let p99AtMostMs: number | null = null;
  for (const [le, n] of [...totals].filter(([le]) => le !== "+Inf").sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const share = count ? (n / count) * 100 : 0;
    withinPercent[`<=${Number(le) * 1000}ms`] = Math.round(share * 10) / 10;
    if (p99AtMostMs === null && share >= 99) p99AtMostMs = Number(le) * 1000;
  }
  return { count, p99AtMostMs, withinPercent };
}
