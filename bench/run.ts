/**
 * cohort-live against a plain Socket.IO server (bench/baseline/) in one invocation, on the same PostgreSQL
 * database and Redis, two nodes each: prints cohort-live ÷ baseline for server CPU per delivery, latency
 * percentiles and memory per socket, and the absolute targets of scenarios the baseline has no counterpart for.
 *
 *   npm run bench -- --scenario <fanout|chat|doc|idle|announce|inbox|all> [--seconds 20]
 *                    [--shards 3] [--targets both|product|baseline] [--sockets 10000] [--prof <dir>] [--rate-scale 1]
 *                    [--before <another build's dist/src/main.js>]   (an A/B of two builds in one invocation)
 *   npm run bench -- --scenario <sessions|typing|big-docs> [--prof <dir>]   (bench/sessions.ts, set by BENCH_* variables)
 *
 * `typing` (also `sessions`, and what plain `npm run bench` runs) is bench/sessions.ts: the doc-typing run with its
 * convergence and durability checks; `big-docs` is bench/big-docs.ts, run through bench/sessions.ts. Results of
 * the ratio scenarios go to bench/results/ratios.json.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { round, type BenchContext, type Row } from "./lib/measure.js";
import { loadAverage } from "./lib/procs.js";
import { printTable } from "./lib/table.js";
import { startStack, type Stack, type Target } from "./lib/stack.js";
import { LoadGenerator } from "./lib/workers.js";
import { announce } from "./scenarios/announce.js";
import { chat } from "./scenarios/chat.js";
import { doc } from "./scenarios/doc.js";
import { fanout } from "./scenarios/fanout.js";
import { idle } from "./scenarios/idle.js";
import { inbox } from "./scenarios/inbox.js";

const SCENARIOS = ["fanout", "doc", "chat", "idle", "announce", "inbox"] as const;
type Scenario = (typeof SCENARIOS)[number];
/** Scenarios of bench/sessions.ts (`sessions` is the old name of `typing`). */
const SESSION_SCENARIOS = ["sessions", "typing", "big-docs"] as const;
type SessionScenario = (typeof SESSION_SCENARIOS)[number];
const isSessionScenario = (s: string): s is SessionScenario => (SESSION_SCENARIOS as readonly string[]).includes(s);

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "sessions" },
    seconds: { type: "string", default: "20" },
    shards: { type: "string", default: "3" },
    targets: { type: "string", default: "both" },
    sockets: { type: "string", default: "10000" },
    prof: { type: "string" },
    "rate-scale": { type: "string", default: "1" },
    before: { type: "string" },
  },
});
const log = (msg: string) => console.log(`[bench] ${msg}`);
const positive = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`bench: --${name} must be a positive integer`);
    process.exit(2);
  }
  return n;
};

/** bench/sessions.ts with `--scenario`; `--prof <dir>` becomes BENCH_PROF (CPU profiles of the server nodes). */
function runSessions(scenario: SessionScenario): Promise<number> {
  const name = scenario === "sessions" ? "typing" : scenario;
  const script = fileURLToPath(new URL("./sessions.ts", import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, script, "--scenario", name], {
    stdio: "inherit",
    env: values.prof ? { ...process.env, BENCH_PROF: resolve(values.prof) } : process.env,
  });
  return new Promise((done) => child.once("exit", (code) => done(code ?? 1)));
}

async function main() {
  if (isSessionScenario(values.scenario)) return runSessions(values.scenario);
  const chosen: Scenario[] = values.scenario === "all" ? [...SCENARIOS] : [values.scenario as Scenario];
  if (!chosen.every((s) => SCENARIOS.includes(s))) {
    console.error(`bench: --scenario must be one of ${[...SCENARIOS, "all", ...SESSION_SCENARIOS].join(", ")}`);
    return 2;
  }
  const targets: Target[] = values.targets === "both" ? ["baseline", "product"] : [values.targets as Target];
  if (values.before && !targets.includes("before")) targets.splice(targets.length - 1, 0, "before");
  const seconds = positive("seconds", values.seconds);
  const sockets = positive("sockets", values.sockets);
  const [load1] = loadAverage();
  log(`load average ${load1}${load1 > 1.5 ? " — the machine is busy; compare ratios, not absolute figures" : ""}`);

  const profDir = values.prof ? resolve(values.prof) : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  let stack: Stack | undefined;
  let load: LoadGenerator | undefined;
  const stopAll = async () => {
    load?.stop();
    await stack?.close();
  };
  // bounded in time: each scenario's load plus set-up, then whatever is still running is stopped
  const budgetMs = chosen.length * (seconds * 3 * 1000 + 300_000);
  const watchdog = setTimeout(() => {
    console.error(`bench: over its ${Math.round(budgetMs / 1000)} s budget, stopping`);
    void stopAll().finally(() => process.exit(1));
  }, budgetMs);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));

  try {
    log("starting 2 cohort-live nodes and 2 baseline nodes on a fresh database");
    stack = await startStack({
      targets,
      beforeMain: values.before ? resolve(values.before) : undefined,
      productFlags: profDir ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : undefined,
    });
    load = new LoadGenerator(positive("shards", values.shards));
    const rateScale = Number(values["rate-scale"]);
    if (!(rateScale > 0)) throw new Error("--rate-scale must be a positive number");
    const ctx: BenchContext = { stack, load, seconds, targets, log, rateScale };
    const rows: Row[] = [];
    for (const name of chosen) {
      log(`— ${name}`);
      if (name === "fanout") rows.push(...(await fanout(ctx)));
      else if (name === "doc") rows.push(...(await doc(ctx)));
      else if (name === "chat") rows.push(...(await chat(ctx)));
      else if (name === "idle") rows.push(...(await idle(ctx, sockets)));
      else if (name === "announce" && targets.includes("product")) rows.push(...(await announce(ctx)));
      else if (name === "inbox" && targets.includes("product")) rows.push(...(await inbox(ctx)));
    }
    const failed = printTable(rows);
    mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
    const at = new Date().toISOString();
    writeFileSync(
      new URL("./results/ratios.json", import.meta.url),
      JSON.stringify(
        {
          at,
          loadAverage: load1,
          seconds,
          rows: rows.map((r) => ({ ...r, ratio: r.baseline ? round(r.product / r.baseline) : null })),
        },
        null,
        2,
      ) + "\n",
    );
    return failed ? 1 : 0;
  } finally {
    clearTimeout(watchdog);
    await stopAll();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
