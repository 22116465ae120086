import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { adminOf, api, makeCohort, makeUser } from "../support/rest.js";

describe("shared fixtures work against the real auth and cohort routes", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(1);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("makeUser, adminOf and makeCohort produce usable users and cohorts", async () => {
    const node = cluster.nodes[0]!;
    const admin = await adminOf(node);
    expect(admin.role).toBe("admin");
    const mentor = await makeUser(node, "mentor");
    const learner = await makeUser(node, "learner");
    const otherAdmin = await makeUser(node, "admin");
    expect([mentor.role, learner.role, otherAdmin.role]).toEqual(["mentor", "learner", "admin"]);
    const cohort = await makeCohort(node, mentor, [learner]);
    const me = await api(node, "GET", "/api/me", { token: mentor.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: mentor.id, email: mentor.email, role: "mentor" });
    const members = await api(node, "GET", `/api/cohorts/${cohort.id}/members`, { token: learner.accessToken });
    expect(members.status).toBe(200);
    expect(members.body.members.map((m: { user: { id: string } }) => m.user.id).sort()).toEqual([mentor.id, learner.id].sort());
  });

  it("adminOf on a server that took the port of a closed one (another database) registers that database's admin", async () => {
    const first = await startCluster(1);
    const port = new URL(first.nodes[0]!.url).port;
    const before = await adminOf(first.nodes[0]!);
    await first.close();
    const second = await startCluster(1, { env: { PORT: port } });
    try {
      const node = second.nodes[0]!;
      expect(node.url).toBe(first.nodes[0]!.url);
      const admin = await adminOf(node);
      expect(admin.id).not.toBe(before.id);
      const me = await api(node, "GET", "/api/me", { token: admin.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ id: admin.id, role: "admin" });
      expect((await makeUser(node, "mentor")).role).toBe("mentor");
    } finally {
      await second.close();
    }
  });
});
