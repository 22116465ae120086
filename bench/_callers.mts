import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
interface N {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const dir = process.argv[2];
const target = process.argv[3];
const depth = Number(process.argv[4] ?? 6);
const paths = new Map<string, number>();
let tot = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
  const p = JSON.parse(readFileSync(join(dir, f), "utf8")) as { nodes: N[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  p.samples.forEach((id, i) => {
    if (byId.get(id)!.callFrame.functionName !== target) return;
    const dt = p.timeDeltas[i] ?? 0;
    tot += dt;
    const chain: string[] = [];
    for (let cur = parent.get(id); cur !== undefined && chain.length < depth; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      chain.push(
        `${cf.functionName || "anon"}@${cf.url
          .replace(/.*node_modules\//, "")
          .replace(/.*dist\//, "")
          .replace(/^node:internal\//, "")}:${cf.lineNumber + 1}`,
      );
    }
    const k = chain.join(" < ");
    paths.set(k, (paths.get(k) ?? 0) + dt);
  });
}
console.log(`${target}: ${(tot / 1e6).toFixed(2)} s`);
[...paths]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 12)
  .forEach(([k, v]) => console.log(`${((v / tot) * 100).toFixed(1).padStart(5)} % ${k}`));
