/**
 * A server running inside the test's own process through `createServer(config)`: no process to spawn, so a file
 * starts in a fraction of the time. For tests that need no process boundary (see processes.ts for those that do).
 * Each server has its own metrics registry, logger, database connection and engine; two of them in one process
 * share nothing but the cohort-existence cache (keyed by random cohort ids). Two embedded (PGlite) nodes in one
 * file stay on processes.
 */
import { Writable } from "node:stream";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/logger.js";
import { createServer, type ServerHandle } from "../../src/server.js";
import { onTempDataDir } from "./processes.js";
import type { Node, ServerEnv } from "./servers.js";

export interface InProcessNode extends Node {
  server: ServerHandle;
  stop(): Promise<void>;
}

/** Collects what the server's logger writes, one JSON line per entry, as a process's stdout would show it. */
function logSink(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(line);
      done();
    },
  });
}

/** Builds a config from `env` as main.ts does (PORT=0, LOG_LEVEL=info unless given), starts it, resolves once listening. */
export async function startInProcess(env: ServerEnv): Promise<InProcessNode> {
  const config = loadConfig({ PORT: "0", LOG_LEVEL: "info", ...env });
  const logs: string[] = [];
  const server = createServer(config, { logger: createLogger(config.logLevel, logSink(logs)) });
  let port: number;
  try {
    port = await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, port, logs, server, stop: () => server.stop() };
}

/** One in-process node on the embedded default in a fresh temp DATA_DIR; `close()` stops it and removes the directory. */
export const startEmbeddedInProcess = (extra: Record<string, string> = {}) => onTempDataDir(startInProcess, extra);
