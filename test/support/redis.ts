/** Redis for tests: a key prefix per cluster on the shared Redis, or a private server that can be killed. */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { TEST_REDIS_URL } from "../env.js";
import { eventually } from "./time.js";
import { freePort } from "./ports.js";

export { TEST_REDIS_URL };

/** A key prefix of its own on the shared Redis, so clusters of different test files never meet. */
export const redisPrefix = () => `cltest:${randomBytes(5).toString("hex")}:`;

export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: an outage, not a clean shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** (Re)starts it on the same port and resolves once it answers PING. */
  start(): Promise<void>;
}

function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.setTimeout(1000);
    s.once("connect", () => s.write("PING\r\n"));
    s.once("data", (d) => (s.destroy(), resolve(d.toString().startsWith("+PONG"))));
    s.once("timeout", () => (s.destroy(), resolve(false)));
    s.once("error", () => resolve(false));
  });
}

/**
 * A throw-away `redis-server` child process on a free port, never the shared Redis other test files use:
 * for tests that stop and restart Redis under a cluster (`startCluster(n, { env: { REDIS_URL: redis.url } })`).
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const handle: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: "ignore",
      });
      await eventually(() => redisAnswers(port), 10_000, 50);
    },
    async stop() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGKILL");
      await exited;
    },
  };
  await handle.start();
  return handle;
}
