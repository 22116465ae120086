import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
interface N {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const dir = process.argv[2];
const pat = process.argv[3] ? new RegExp(process.argv[3]) : null;
for (const f of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
  const p = JSON.parse(readFileSync(join(dir, f), "utf8")) as { nodes: N[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  let busy = 0,
    total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const fn = byId.get(id)!.callFrame.functionName;
    if (fn === "(idle)" || fn === "atomicsWaitLoop") return;
    busy += dt;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      const key = `${cf.functionName || "(anon)"} ${cf.url.replace(/.*node_modules\//, "").replace(/.*dist\//, "")}:${cf.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + dt);
    }
  });
  console.log(`== ${f}: busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s`);
  [...incl]
    .filter(([k]) => !pat || pat.test(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 45)
    .forEach(([k, v]) => console.log(`${((v / busy) * 100).toFixed(1).padStart(5)} %  ${k}`));
}
