/**
 * The heaviest frames of V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench -- --prof <dir>`), by
 * self time, summed over every profile given:  tsx bench/top-frames.ts <dir-or-files…> [--top 15]
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topAt = args.indexOf("--top");
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 15;
const files = args.flatMap((a) =>
  statSync(a).isDirectory()
    ? readdirSync(a)
        .filter((f) => f.endsWith(".cpuprofile"))
        .map((f) => join(a, f))
    : [a],
);

const self = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url ? `${relative(process.cwd(), url.replace(/^file:\/\//, ""))}:${lineNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"} ${where}`.trim();
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
}
// a piscina worker waiting for a task sits in Atomics.wait, which the profiler samples as busy: it is idle
const isIdle = (key: string) => key === "(idle)" || key.startsWith("atomicsWaitLoop ");
const idle = [...self].reduce((sum, [key, us]) => sum + (isIdle(key) ? us : 0), 0);
const busy = total - idle;
console.log(`${files.length} profile(s), ${(busy / 1e6).toFixed(1)} s on CPU (idle excluded)`);
for (const [key, us] of [...self]
  .filter(([k]) => !isIdle(k))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`${((us / busy) * 100).toFixed(1).padStart(5)} %  ${key}`);
