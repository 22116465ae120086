import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { CHILD_PATH } from "../../test/env.js";

/**
 * V8 settings of the load generator's processes (the servers run as configured). The simulated clients allocate
 * fast (socket.io packets, Yjs transactions): with the default 16 MB young generation they sit in scavenges on
 * acks already received, and with V8's own old-generation growth (10–20 % on a busy machine) they start a full
 * collection several times a second, whose concurrent marking takes cores from the servers being measured.
 */
export const CLIENT_V8_FLAGS = ["--max-semi-space-size=64", "--heap-growing-percent=100"];

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Resident set size of a process in bytes, from /proc. */
export function rssBytes(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
export function machineJiffies(): { busy: number; total: number } {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const n = fields.map(Number);
  const idle = n[3] + (n[4] ?? 0);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);

export interface ServerProcess {
  url: string;
  proc: ChildProcess;
  logs: string[];
  /** Its warn, error and fatal log lines (the first 200). */
  problems: string[];
  stop(): Promise<void>;
}

/** Spawns a server that logs a JSON line with "msg":"listening" and its "port"; resolves once it does. */
export function spawnServer(args: string[], env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<ServerProcess> {
  const proc = spawn(process.execPath, args, {
    env: { PATH: CHILD_PATH, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const problems: string[] = [];
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${logs.join("\n")}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      if (!line.trim()) return;
      if (logs.length < 500) logs.push(line);
      if (/"level":"(warn|error|fatal)"/.test(line) && problems.length < 200) problems.push(line);
      if (!line.includes('"msg":"listening"')) return;
      clearTimeout(timer);
      const port = Number(/"port":(\d+)/.exec(line)?.[1]);
      resolve({
        url: `http://127.0.0.1:${port}`,
        proc,
        logs,
        problems,
        stop: async () => {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill("SIGTERM");
            const t = setTimeout(() => proc.kill("SIGKILL"), 5_000);
            await exited;
            clearTimeout(t);
          }
        },
      });
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      let buf = "";
      stream.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        const lines = buf.split("\n");
        buf = lines.pop() ?? "";
        lines.forEach(onLine);
      });
    }
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${logs.join("\n")}`));
    });
  });
}
