import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";

const LOCK_FILE = "cohort-live.pid";
/** Directories this process holds open (two DataSources of one process on one directory are refused too). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite has no lock of its own: two processes opening one data directory would corrupt it. Takes the
 * directory with a pid file (a stale one, left by a process that died, is taken over); returns the release.
 */
export function lockDataDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE);
  if (held.has(dir)) throw new Error(`DATA_DIR ${dataDir} is already open in this process`);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw err;
      const owner = Number(readFileSync(path, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new Error(`DATA_DIR ${dataDir} is in use by another cohort-live process (pid ${owner})`);
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  held.add(dir);
  return () => {
    if (!held.delete(dir)) return;
    rmSync(path, { force: true });
  };
}
