/**
 * Real server processes of the built server (`dist/`), for tests that need a process boundary: kill -9, SIGTERM,
 * restarts, exit codes, startup refusals, what a process prints.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { CHILD_PATH } from "../env.js";
import { migratedDataDir } from "./databases.js";
import { ADMIN_EMAIL, JWT_SECRET, type Node, type ServerEnv, TEST_LIMITS } from "./servers.js";

export const ROOT = new URL("../..", import.meta.url).pathname;
export const MAIN = join(ROOT, "dist", "src", "main.js");

export interface ProcessNode extends Node {
  proc: ChildProcess;
  /** Sends a signal (SIGTERM unless given) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts `node dist/src/main.js` with `env` (PORT=0) and resolves once it logs "listening"; `main` runs another
 * build instead (a before/after comparison in the bench), `flags` go to node (e.g. --cpu-prof).
 */
export function startNode(env: ServerEnv, timeoutMs = 30_000, main = MAIN, flags: string[] = []): Promise<ProcessNode> {
  const proc = spawn(process.execPath, [...flags, main], {
    cwd: ROOT,
    env: { PATH: CHILD_PATH, PORT: "0", LOG_LEVEL: "info", ...TEST_LIMITS, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return new Promise<ProcessNode>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${logs.join("\n")}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      if (!line.trim()) return;
      logs.push(line);
      if (line.includes('"msg":"listening"')) {
        const port = Number(/"port":(\d+)/.exec(line)?.[1]);
        clearTimeout(timer);
        resolve({
          url: `http://127.0.0.1:${port}`,
          port,
          proc,
          logs,
          exited,
          stop: async (signal: NodeJS.Signals = "SIGTERM") => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      let buf = "";
      stream?.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        const lines = buf.split("\n");
        buf = lines.pop() ?? "";
        lines.forEach(onLine);
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join("\n")}`));
    });
  });
}

/** The environment of a node on the embedded default (PGlite in `dataDir`, in-memory engine), as tests use it. */
export const embeddedEnv = (dataDir: string, extra: Record<string, string> = {}) => ({
  DATA_DIR: dataDir,
  JWT_SECRET,
  ADMIN_EMAILS: ADMIN_EMAIL,
  AUTH_RATE_LIMIT: "0",
  ...extra,
});

/** A started node together with the temp DATA_DIR it runs on; `close()` stops it and removes the directory. */
export type WithDataDir<N extends Node> = N & { close(): Promise<void> };

/** Starts a node with `start` on a fresh temp DATA_DIR (embedded default, migrated as after a first start); the directory goes with `close()`. */
export async function onTempDataDir<N extends Node>(
  start: (env: ServerEnv) => Promise<N>,
  extra: Record<string, string> = {},
): Promise<WithDataDir<N>> {
  const dir = await migratedDataDir();
  try {
    const node = await start(embeddedEnv(dir.path, extra));
    return Object.assign(node, {
      close: async () => {
        await node.stop();
        dir.remove();
      },
    });
  } catch (err) {
    dir.remove();
    throw err;
  }
}

/** One node process on the embedded default in a fresh temp DATA_DIR; `close()` stops it and removes the directory. */
export const startEmbeddedNode = (extra: Record<string, string> = {}) => onTempDataDir(startNode, extra);
