import { round, type Row } from "./measure.js";

/** Prints the ratio table; true when a target does not hold. */
export function printTable(rows: Row[]): boolean {
  let failed = false;
  const lines = rows.map((r) => {
    const ratio = r.baseline ? r.product / r.baseline : undefined;
    const byRatio = r.maxRatio !== undefined && ratio !== undefined ? ratio <= r.maxRatio : undefined;
    const byValue = r.maxValue !== undefined ? r.product <= r.maxValue : undefined;
    const verdict = byRatio === false || byValue === false ? "MISS" : byRatio || byValue ? "ok" : "";
    if (verdict === "MISS") failed = true;
    const target = [
      r.maxRatio !== undefined ? `≤ ${r.maxRatio}×` : "",
      r.maxValue !== undefined ? `≤ ${r.maxValue} ${r.unit}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    return [
      r.scenario,
      r.metric,
      r.baseline === undefined ? "—" : `${round(r.baseline)} ${r.unit}`,
      `${round(r.product)} ${r.unit}`,
      ratio === undefined ? "—" : `${round(ratio)}×`,
      target,
      verdict,
    ];
  });
  const head = ["scenario", "metric", "baseline", "cohort-live", "ratio", "target", ""];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(`\n${fmt(head)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n${lines.map(fmt).join("\n")}\n`);
  return failed;
}
