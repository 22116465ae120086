/**
 * Fixtures that live as long as a test file: made in its beforeAll, ended in its afterAll (in reverse order of
 * registration, vitest's default `sequence.hooks: "stack"`).
 */
import { afterAll, beforeAll } from "vitest";
import { type Cluster, type ClusterOptions, startCluster } from "./clusters.js";

/** Starts `n` in-process nodes before the file's tests, hands them to `ready`, and closes them after the tests. */
export function clusterForFile(n: number, ready: (cluster: Cluster) => void, opts: ClusterOptions = {}): void {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(n, opts);
    ready(cluster);
  });
  afterAll(async () => {
    await cluster?.close();
  });
}
