import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { SnapshotInput } from "./doc-holder.js";
import * as work from "./doc-worker.js";

/** The document work of doc-worker.ts, answered off the event loop. */
export interface DocPool {
  merge(parts: Uint8Array[]): Promise<Uint8Array>;
  /** One update holding a document that one thread keeps between calls (doc-holder.ts); null: send `base`. */
  snapshot(input: SnapshotInput): Promise<Uint8Array | null>;
  /** Lets the holder thread drop the document kept under `key`. */
  forget(key: string): Promise<void>;
  compact(parts: Uint8Array[]): Promise<Uint8Array>;
  text(parts: Uint8Array[]): Promise<string>;
  diff(state: Uint8Array, stateVector: Uint8Array): Promise<{ update: Uint8Array; stateVector: Uint8Array }>;
  stateVector(state: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * The bytes of `u` alone: posting a view to a worker clones its whole backing buffer, and a small Buffer from a
 * driver or Socket.IO is often a view into a larger shared one.
 */
const exact = (u: Uint8Array): Uint8Array => (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength ? u : u.slice());

/** Same work on the calling thread: for tests that run the TypeScript sources (a worker needs the built .js). */
export function inlineDocPool(): DocPool {
  return {
    merge: async (parts) => work.merge(parts),
    snapshot: async (input) => work.snapshot(input),
    forget: async (key) => work.forget(key),
    compact: async (parts) => work.compact(parts),
    text: async (parts) => work.text(parts),
    diff: async (state, stateVector) => work.diff({ state, stateVector }),
    stateVector: async (state) => work.stateVector(state),
    close: async () => undefined,
  };
}

/**
 * A `worker_threads` pool (piscina) running doc-worker.ts. Inputs are copied to the worker (the caller keeps its
 * bytes). Snapshots always run on one thread, which holds their documents (the pool's own when it has one
 * thread). Falls back to inline work when running from sources.
 */
export function createDocPool(opts: { threads?: number } = {}): DocPool {
  const workerUrl = new URL("./doc-worker.js", import.meta.url);
  if (import.meta.url.endsWith(".ts")) return inlineDocPool();
  const threads = opts.threads ?? Math.max(1, Math.min(2, availableParallelism() - 1));
  const pool = new Piscina({
    filename: fileURLToPath(workerUrl),
    minThreads: 1,
    maxThreads: threads,
    // an idle worker stays a while: starting one costs more than most tasks
    idleTimeout: 60_000,
  });
  const holder =
    threads === 1 ? pool : new Piscina({ filename: fileURLToPath(workerUrl), minThreads: 1, maxThreads: 1, idleTimeout: 60_000 });
  const run = <T>(name: string, input: unknown): Promise<T> => pool.run(input, { name }) as Promise<T>;
  return {
    merge: (parts) => run<Uint8Array>("merge", parts.map(exact)),
    snapshot: (input) =>
      holder.run(
        { ...input, base: input.base && exact(input.base), tail: input.tail.map(exact) },
        { name: "snapshotTransferred" },
      ) as Promise<Uint8Array | null>,
    forget: (key) => holder.run(key, { name: "forget" }) as Promise<void>,
    compact: (parts) => run<Uint8Array>("compact", parts.map(exact)),
    text: (parts) => run<string>("text", parts.map(exact)),
    diff: (state, stateVector) => run("diff", { state: exact(state), stateVector: exact(stateVector) }),
    stateVector: (state) => run<Uint8Array>("stateVector", exact(state)),
    close: async () => {
      await Promise.all([pool.destroy(), holder === pool ? undefined : holder.destroy()]);
    },
  };
}
