import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CHILD_PATH } from "../env.js";
import { ROOT } from "../support/processes.js";

/**
 * The factors V8 used for its old-generation limits in a process that called tuneGarbageCollector(percent) and
 * then ran full collections over a growing heap (`--trace-gc-verbose` prints each limit with its factor).
 */
function limitFactors(percent: number): number[] {
  const script = `
    const { tuneGarbageCollector } = await import("./src/gc-tuning.ts");
    tuneGarbageCollector(${percent});
    const kept = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 200000; i++) kept.push({ i, s: "x" + i });
      globalThis.gc();
    }`;
  const run = spawnSync(
    process.execPath,
    ["--import", "tsx", "--expose-gc", "--trace-gc-verbose", "--input-type=module", "-e", script],
    { cwd: ROOT, env: { PATH: CHILD_PATH }, encoding: "utf8", timeout: 20_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return [...run.stdout.matchAll(/\[HeapController\] Limit: .*\((\d+\.\d)\)$/gm)].map((m) => Number(m[1]));
}

describe("garbage collector tuning", () => {
  it("sets the factor of every limit V8 computes after it, in a running process", () => {
    const tuned = limitFactors(150);
    expect(tuned.length).toBeGreaterThanOrEqual(4);
    expect(new Set(tuned)).toEqual(new Set([2.5]));
  });

  it("leaves V8's own factors at 0", () => {
    const own = limitFactors(0);
    expect(own.length).toBeGreaterThanOrEqual(4);
    expect(own).not.toContain(2.5);
  });
});
