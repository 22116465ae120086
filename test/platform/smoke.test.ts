import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { api } from "../support/rest.js";

describe("two nodes on PostgreSQL and Redis", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(2);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("both nodes report ready with redis ok", async () => {
    for (const node of cluster.nodes) {
      const res = await api(node, "GET", "/readyz");
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ db: "ok", redis: "ok" });
    }
  });
});
