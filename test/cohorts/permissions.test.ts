import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { adminOf, api, makeCohort, makeUser, newId, type TestUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";

type Actor = "admin" | "mentor" | "otherMentor" | "learner" | "outsider" | "anonymous";
const ACTORS: Actor[] = ["admin", "mentor", "otherMentor", "learner", "outsider", "anonymous"];

describe("cohort permission matrix", () => {
  let cluster: Cluster;
  let node: Node;
  let users: Record<Exclude<Actor, "anonymous">, TestUser>;
  let cohort: { id: string; name: string; slug: string };
  let otherCohort: { id: string };

  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0]!;
    const admin = await adminOf(node);
    const mentor = await makeUser(node, "mentor", "Mentor");
    const otherMentor = await makeUser(node, "mentor", "Other mentor");
    const learner = await makeUser(node, "learner", "Learner");
    const outsider = await makeUser(node, "learner", "Outsider");
    users = { admin, mentor, otherMentor, learner, outsider };
    cohort = await makeCohort(node, mentor, [learner]);
    otherCohort = await makeCohort(node, otherMentor, [outsider]);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const token = (who: Actor) => (who === "anonymous" ? undefined : users[who].accessToken);
  const call = (who: Actor, method: string, path: string, body?: unknown) => api(node, method, path, { token: token(who), body });
  const slug = () => `s-${randomBytes(5).toString("hex")}`;

  async function expectMatrix(expected: Record<Actor, number>, run: (who: Actor) => Promise<{ status: number; body: any }>) {
    const got: Record<string, number> = {};
    for (const who of ACTORS) {
      const res = await run(who);
      got[who] = res.status;
      if (res.status >= 400) expect(res.body.error.code).toEqual(expect.any(String));
    }
    expect(got).toEqual(expected);
  }

  it("POST /api/cohorts: mentors and admins; the creator becomes its mentor", async () => {
    await expectMatrix({ admin: 201, mentor: 201, otherMentor: 201, learner: 403, outsider: 403, anonymous: 401 }, (who) =>
      call(who, "POST", "/api/cohorts", { name: "New", slug: slug() }),
    );
    const res = await call("admin", "POST", "/api/cohorts", { name: "Admin's", slug: slug() });
    expect(res.body.cohort).toEqual({
      id: expect.any(String),
      name: "Admin's",
      slug: expect.any(String),
      createdAt: expect.any(String),
    });
    const members = await call("admin", "GET", `/api/cohorts/${res.body.cohort.id}/members`);
    expect(members.body.members).toEqual([
      {
        user: { id: users.admin.id, displayName: "Admin", email: users.admin.email },
        role: "mentor",
        joinedAt: expect.any(String),
      },
    ]);
  });

  it("GET /api/cohorts lists the caller's own cohorts only (admins included)", async () => {
    const ids = async (who: Actor) =>
      ((await call(who, "GET", "/api/cohorts")).body.cohorts as { id: string }[]).map((c) => c.id);
    expect(await ids("learner")).toEqual([cohort.id]);
    expect(await ids("outsider")).toEqual([otherCohort.id]);
    expect(await ids("mentor")).toContain(cohort.id);
    expect(await ids("admin")).not.toContain(cohort.id);
    expect((await call("anonymous", "GET", "/api/cohorts")).status).toBe(401);
  });

  it("GET /api/cohorts/:id: members and admins; unknown 404, malformed 400", async () => {
    await expectMatrix({ admin: 200, mentor: 200, otherMentor: 403, learner: 200, outsider: 403, anonymous: 401 }, (who) =>
      call(who, "GET", `/api/cohorts/${cohort.id}`),
    );
    expect((await call("learner", "GET", `/api/cohorts/${cohort.id}`)).body).toEqual({
      cohort: { id: cohort.id, name: cohort.name, slug: cohort.slug, createdAt: expect.any(String) },
    });
    await expectMatrix({ admin: 404, mentor: 404, otherMentor: 404, learner: 404, outsider: 404, anonymous: 401 }, (who) =>
      call(who, "GET", `/api/cohorts/${newId()}`),
    );
    expect((await call("admin", "GET", "/api/cohorts/not-a-uuid")).status).toBe(400);
  });

  it("GET /api/cohorts/:id/members: members and admins; emails only for the cohort's mentors and admins", async () => {
    await expectMatrix({ admin: 200, mentor: 200, otherMentor: 403, learner: 200, outsider: 403, anonymous: 401 }, (who) =>
      call(who, "GET", `/api/cohorts/${cohort.id}/members`),
    );
    for (const who of ["admin", "mentor"] as const) {
      const { members } = (await call(who, "GET", `/api/cohorts/${cohort.id}/members`)).body;
      const learner = members.find((m: { user: { id: string } }) => m.user.id === users.learner.id);
      expect(learner).toEqual({
        user: { id: users.learner.id, displayName: "Learner", email: users.learner.email },
        role: "learner",
        joinedAt: expect.any(String),
      });
    }
    const res = await call("learner", "GET", `/api/cohorts/${cohort.id}/members`);
    for (const m of res.body.members) expect(Object.keys(m.user).sort()).toEqual(["displayName", "id"]);
    expect(JSON.stringify(res.body)).not.toContain("@");
    const denied = await call("otherMentor", "GET", `/api/cohorts/${cohort.id}/members`);
    expect(JSON.stringify(denied.body)).not.toContain("@");
    expect((await call("admin", "GET", `/api/cohorts/${newId()}/members`)).status).toBe(404);
  });

  it("POST /api/cohorts/:id/members: the cohort's mentor or an admin", async () => {
    const candidates: Partial<Record<Actor, TestUser>> = {};
    for (const who of ACTORS) candidates[who] = await makeUser(node);
    await expectMatrix({ admin: 201, mentor: 201, otherMentor: 403, learner: 403, outsider: 403, anonymous: 401 }, (who) =>
      call(who, "POST", `/api/cohorts/${cohort.id}/members`, { userId: candidates[who]!.id, role: "learner" }),
    );
    const added = await call("mentor", "POST", `/api/cohorts/${cohort.id}/members`, {
      userId: users.otherMentor.id,
      role: "mentor",
    });
    expect(added.status).toBe(201);
    expect(added.body.member).toEqual({
      user: { id: users.otherMentor.id, displayName: "Other mentor", email: users.otherMentor.email },
      role: "mentor",
      joinedAt: expect.any(String),
    });
    expect(
      (await call("mentor", "POST", `/api/cohorts/${cohort.id}/members`, { userId: users.learner.id, role: "learner" })).status,
    ).toBe(409);
    expect((await call("mentor", "POST", `/api/cohorts/${cohort.id}/members`, { userId: newId(), role: "learner" })).status).toBe(
      404,
    );
    expect(
      (await call("admin", "POST", `/api/cohorts/${newId()}/members`, { userId: users.learner.id, role: "learner" })).status,
    ).toBe(404);
    // the new co-mentor now acts as mentor; clean up
    expect((await call("otherMentor", "DELETE", `/api/cohorts/${cohort.id}/members/${users.otherMentor.id}`)).status).toBe(204);
  });

  it("PATCH /api/cohorts/:id/members/:userId changes a member's cohort role: the cohort's mentor or an admin", async () => {
    const target = await makeUser(node);
    await call("mentor", "POST", `/api/cohorts/${cohort.id}/members`, { userId: target.id, role: "learner" });
    await expectMatrix({ admin: 200, mentor: 200, otherMentor: 403, learner: 403, outsider: 403, anonymous: 401 }, (who) =>
      call(who, "PATCH", `/api/cohorts/${cohort.id}/members/${target.id}`, { role: "learner" }),
    );
    expect(
      (await call("mentor", "PATCH", `/api/cohorts/${cohort.id}/members/${users.outsider.id}`, { role: "mentor" })).status,
    ).toBe(404);
  });

  it("DELETE /api/cohorts/:id/members/:userId: the cohort's mentor or an admin → 204", async () => {
    const targets: Partial<Record<Actor, TestUser>> = {};
    for (const who of ACTORS) {
      targets[who] = await makeUser(node);
      await call("mentor", "POST", `/api/cohorts/${cohort.id}/members`, { userId: targets[who]!.id, role: "learner" });
    }
    await expectMatrix({ admin: 204, mentor: 204, otherMentor: 403, learner: 403, outsider: 403, anonymous: 401 }, (who) =>
      call(who, "DELETE", `/api/cohorts/${cohort.id}/members/${targets[who]!.id}`),
    );
    // removing someone who is not (or no longer) a member is 404
    expect((await call("mentor", "DELETE", `/api/cohorts/${cohort.id}/members/${targets.admin!.id}`)).status).toBe(404);
    expect((await call("admin", "DELETE", `/api/cohorts/${newId()}/members/${users.learner.id}`)).status).toBe(404);
  });

  it("GET /api/users?email=: mentors and admins", async () => {
    const q = `/api/users?email=${encodeURIComponent(users.learner.email)}`;
    await expectMatrix({ admin: 200, mentor: 200, otherMentor: 200, learner: 403, outsider: 403, anonymous: 401 }, (who) =>
      call(who, "GET", q),
    );
  });

  it("PATCH /api/users/:id/role: admins only", async () => {
    const target = await makeUser(node);
    await expectMatrix({ admin: 200, mentor: 403, otherMentor: 403, learner: 403, outsider: 403, anonymous: 401 }, (who) =>
      call(who, "PATCH", `/api/users/${target.id}/role`, { role: "learner" }),
    );
    expect((await call("admin", "PATCH", `/api/users/${newId()}/role`, { role: "mentor" })).status).toBe(404);
  });

  it("GET /api/me, logout-all and password change need a token", async () => {
    expect((await call("anonymous", "GET", "/api/me")).status).toBe(401);
    expect((await call("anonymous", "POST", "/api/auth/logout-all")).status).toBe(401);
    expect(
      (await call("anonymous", "POST", "/api/auth/password", { currentPassword: "aaaaaaaa", newPassword: "bbbbbbbb" })).status,
    ).toBe(401);
  });

  it("never shows other users' emails to a learner anywhere they can look", async () => {
    const bodies = [
      await call("learner", "GET", "/api/cohorts"),
      await call("learner", "GET", `/api/cohorts/${cohort.id}`),
      await call("learner", "GET", `/api/cohorts/${cohort.id}/members`),
      await call("learner", "GET", `/api/users?email=${encodeURIComponent(users.mentor.email)}`),
      await call("learner", "POST", `/api/cohorts/${cohort.id}/members`, { userId: users.outsider.id, role: "learner" }),
    ].map((r) => JSON.stringify(r.body));
    for (const other of [users.admin, users.mentor, users.otherMentor, users.outsider]) {
      for (const b of bodies) expect(b).not.toContain(other.email);
    }
  });
});
