/**
 * The heaviest frames of V8 CPU profiles (`node --cpu-prof`, e.g. from `npm run bench -- --prof <dir>`):
 *
 *   tsx bench/top-frames.ts <dir-or-files…> [--top 15]              by self time, summed over every profile given
 *   tsx bench/top-frames.ts <dir-or-files…> --inclusive [--match <regexp>]   by inclusive time, per profile (per
 *                                                                   thread), only the frames matching the regexp
 *   tsx bench/top-frames.ts <dir-or-files…> --callers <function>    the call paths that spend <function>'s self time
 *
 * Self time in a write (`writev`, `writeBuffer`) includes the time the thread waited to run again after waking the
 * process it wrote to: on a saturated machine that is often most of it.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
/** Removes `--name value` from args and returns the value. */
function valueOf(name: string): string | undefined {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args.splice(at, 2)[1];
}
/** Removes the flag `--name` from args and tells whether it was there. */
function flag(name: string): boolean {
  const at = args.indexOf(name);
  if (at >= 0) args.splice(at, 1);
  return at >= 0;
}

const top = Number(valueOf("--top") ?? 15);
const inclusive = flag("--inclusive");
const match = valueOf("--match");
const callers = valueOf("--callers");
const files = args.flatMap((a) =>
  statSync(a).isDirectory()
    ? readdirSync(a)
        .filter((f) => f.endsWith(".cpuprofile"))
        .map((f) => join(a, f))
    : [a],
);
const profiles = files.map((file) => ({ file, profile: JSON.parse(readFileSync(file, "utf8")) as Profile }));

// a piscina worker waiting for a task sits in Atomics.wait, which the profiler samples as busy: it is idle
const isIdleFrame = (name: string) => name === "(idle)" || name === "atomicsWaitLoop";
const where = (url: string, line: number) =>
  url ? `${relative(process.cwd(), url.replace(/^file:\/\//, "")).replace(/^.*node_modules\//, "")}:${line + 1}` : "";
const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url, n.callFrame.lineNumber)}`.trim();
const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1).padStart(5)} %`;

/** Calls `visit(node, parentOf, dt)` for every busy sample of the profile; returns its busy and total time. */
function eachBusySample(profile: Profile, visit: (node: ProfileNode, parentOf: Map<number, number>, dt: number) => void) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  let busy = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const node = byId.get(id)!;
    if (isIdleFrame(node.callFrame.functionName)) return;
    busy += dt;
    visit(node, parentOf, dt);
  });
  return { busy, total, byId };
}

if (inclusive) {
  const only = match === undefined ? null : new RegExp(match);
  for (const { file, profile } of profiles) {
    const time = new Map<string, number>();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const { busy, total } = eachBusySample(profile, (node, parentOf, dt) => {
      const seen = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
        const key = label(byId.get(id)!);
        if (seen.has(key)) continue;
        seen.add(key);
        time.set(key, (time.get(key) ?? 0) + dt);
      }
    });
    console.log(`${basename(file)}: busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s`);
    for (const [key, us] of [...time]
      .filter(([k]) => !only || only.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top))
      console.log(`${percent(us, busy)}  ${key}`);
  }
} else if (callers !== undefined) {
  const paths = new Map<string, number>();
  let spent = 0;
  for (const { profile } of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    eachBusySample(profile, (node, parentOf, dt) => {
      if (node.callFrame.functionName !== callers) return;
      spent += dt;
      const chain: string[] = [];
      for (let id = parentOf.get(node.id); id !== undefined && chain.length < 12; id = parentOf.get(id))
        chain.push(label(byId.get(id)!));
      const key = chain.join(" < ");
      paths.set(key, (paths.get(key) ?? 0) + dt);
    });
  }
  console.log(`${callers}: ${(spent / 1e6).toFixed(2)} s of self time`);
  for (const [path, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(us, spent)}  ${path}`);
} else {
  const self = new Map<string, number>();
  let busy = 0;
  for (const { profile } of profiles) {
    busy += eachBusySample(profile, (node, _parents, dt) => self.set(label(node), (self.get(label(node)) ?? 0) + dt)).busy;
  }
  console.log(`${profiles.length} profile(s), ${(busy / 1e6).toFixed(1)} s on CPU (idle excluded)`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${percent(us, busy)}  ${key}`);
}
