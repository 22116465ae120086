/**
 * Compat for branches not yet moved to test/support/; delete once merged. It keeps the old signatures: server
 * processes for `startCluster`, and untyped socket helpers (new tests use the typed ones in test/support/sockets.ts).
 */
import { type Cluster as AnyCluster, type ClusterOptions, startProcessCluster } from "./support/clusters.js";
import type { ProcessNode } from "./support/processes.js";
import type { Socket } from "socket.io-client";
import { type ClientSocket, emitRaw } from "./support/sockets.js";

export * from "./support/clusters.js";
export * from "./support/databases.js";
export * from "./support/in-process.js";
export * from "./support/processes.js";
export * from "./support/redis.js";
export * from "./support/rest.js";
export * from "./support/servers.js";
export * from "./support/sockets.js";
export * from "./support/time.js";
export * from "./support/yjs.js";

export type Node = ProcessNode;
export type Cluster = AnyCluster<ProcessNode>;
export const startCluster = (n = 2, opts: ClusterOptions = {}): Promise<Cluster> => startProcessCluster(n, opts);

export const emitAck = <T = Record<string, any>>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<T> =>
  emitRaw(socket, event, ...args) as Promise<T>;

export function nextEvent<T = any>(
  socket: ClientSocket,
  event: string,
  predicate: (payload: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  const untyped: Socket = socket;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      untyped.off(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      untyped.off(event, handler);
      resolve(payload);
    };
    untyped.on(event, handler);
  });
}

export function record<T = any>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  const untyped: Socket = socket;
  untyped.on(event, (p: T) => seen.push(p));
  return seen;
}
