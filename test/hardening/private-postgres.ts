/**
 * A throw-away PostgreSQL cluster of the test's own (initdb + pg_ctl from /usr/lib/postgresql/<version>/bin) on a
 * free port and a temporary data directory: for tests that stop and restart the database. Never the machine's
 * own server. PostgreSQL refuses to run as root, so as root every command runs as the `postgres` OS user.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/ports.js";

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const version = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return join(root, version, "bin");
}

export interface PrivatePostgres {
  /** URL of the database `app` on this cluster. */
  url: string;
  /** Stops the server at once (`-m immediate`: an outage, not a clean shutdown). */
  stop(): void;
  start(): void;
  destroy(): void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "cohort-live-pg-"));
  const data = join(dir, "data");
  const port = await freePort();
  const root = process.getuid?.() === 0;
  if (root) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) =>
    root
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe", cwd: dir })
      : execFileSync(join(bin, cmd), args, { stdio: "pipe", cwd: dir });
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const start = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "log"),
      "-w",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  start();
  run("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "app"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/app`,
    stop: () => run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]),
    start,
    destroy() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
