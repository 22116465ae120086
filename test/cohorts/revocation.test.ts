import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { clusterForFile } from "../support/file-fixtures.js";
import { adminOf, api, makeCohort, makeUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";

/**
 * Access is cached per node; every membership or role change is invalidated on every node, so the
 * next request anywhere sees it. Each test warms the cache on node B, changes access through node A,
 * then asks node B at once.
 */
describe("revocation counts from the next request on every node", () => {
  let a: Node;
  let b: Node;
  clusterForFile(2, ({ nodes }) => ([a, b] = nodes));

  const slug = () => `r-${randomBytes(5).toString("hex")}`;

  it("a removed member loses access at once, on the other node too", async () => {
    const mentor = await makeUser(a, "mentor");
    const learner = await makeUser(a);
    const cohort = await makeCohort(a, mentor, [learner]);
    expect((await api(b, "GET", `/api/cohorts/${cohort.id}`, { token: learner.accessToken })).status).toBe(200);
    expect((await api(a, "GET", `/api/cohorts/${cohort.id}/members`, { token: learner.accessToken })).status).toBe(200);

    expect(
      (await api(a, "DELETE", `/api/cohorts/${cohort.id}/members/${learner.id}`, { token: mentor.accessToken })).status,
    ).toBe(204);
    expect((await api(b, "GET", `/api/cohorts/${cohort.id}`, { token: learner.accessToken })).status).toBe(403);
    expect((await api(b, "GET", `/api/cohorts/${cohort.id}/members`, { token: learner.accessToken })).status).toBe(403);
    expect((await api(a, "GET", `/api/cohorts/${cohort.id}`, { token: learner.accessToken })).status).toBe(403);
    expect((await api(b, "GET", "/api/cohorts", { token: learner.accessToken })).body.cohorts).toEqual([]);

    // added back: access returns at once as well
    expect(
      (
        await api(a, "POST", `/api/cohorts/${cohort.id}/members`, {
          token: mentor.accessToken,
          body: { userId: learner.id, role: "learner" },
        })
      ).status,
    ).toBe(201);
    expect((await api(b, "GET", `/api/cohorts/${cohort.id}`, { token: learner.accessToken })).status).toBe(200);
  });

  it("a mentor demoted to learner in the cohort loses mentor rights at once on the other node", async () => {
    const mentor = await makeUser(a, "mentor");
    const coMentor = await makeUser(a, "mentor");
    const learner = await makeUser(a);
    const cohort = await makeCohort(a, mentor, [{ user: coMentor, role: "mentor" }, learner]);
    const spare = await makeUser(a);
    const warm = await api(b, "POST", `/api/cohorts/${cohort.id}/members`, {
      token: coMentor.accessToken,
      body: { userId: spare.id, role: "learner" },
    });
    expect(warm.status).toBe(201);
    const seen = await api(b, "GET", `/api/cohorts/${cohort.id}/members`, { token: coMentor.accessToken });
    expect(JSON.stringify(seen.body)).toContain(learner.email);

    const demoted = await api(a, "PATCH", `/api/cohorts/${cohort.id}/members/${coMentor.id}`, {
      token: mentor.accessToken,
      body: { role: "learner" },
    });
    expect(demoted.status).toBe(200);
    expect(demoted.body.member.role).toBe("learner");

    const denied = await api(b, "DELETE", `/api/cohorts/${cohort.id}/members/${spare.id}`, { token: coMentor.accessToken });
    expect(denied.status).toBe(403);
    const members = await api(b, "GET", `/api/cohorts/${cohort.id}/members`, { token: coMentor.accessToken });
    expect(members.status).toBe(200);
    expect(JSON.stringify(members.body)).not.toContain(learner.email);
  });

  it("a mentor removed and re-added as learner loses mentor rights at once", async () => {
    const mentor = await makeUser(a, "mentor");
    const coMentor = await makeUser(a, "mentor");
    const cohort = await makeCohort(a, mentor, [{ user: coMentor, role: "mentor" }]);
    const spare = await makeUser(a);
    expect(
      (
        await api(b, "POST", `/api/cohorts/${cohort.id}/members`, {
          token: coMentor.accessToken,
          body: { userId: spare.id, role: "learner" },
        })
      ).status,
    ).toBe(201);
    await api(a, "DELETE", `/api/cohorts/${cohort.id}/members/${coMentor.id}`, { token: mentor.accessToken });
    await api(a, "POST", `/api/cohorts/${cohort.id}/members`, {
      token: mentor.accessToken,
      body: { userId: coMentor.id, role: "learner" },
    });
    expect(
      (await api(b, "DELETE", `/api/cohorts/${cohort.id}/members/${spare.id}`, { token: coMentor.accessToken })).status,
    ).toBe(403);
  });

  it("a globally demoted mentor can no longer create cohorts or look up users, at once on the other node", async () => {
    const admin = await adminOf(a);
    const mentor = await makeUser(a, "mentor");
    const learner = await makeUser(a);
    const lookup = `/api/users?email=${encodeURIComponent(learner.email)}`;
    expect(
      (await api(b, "POST", "/api/cohorts", { token: mentor.accessToken, body: { name: "Mine", slug: slug() } })).status,
    ).toBe(201);
    expect((await api(b, "GET", lookup, { token: mentor.accessToken })).status).toBe(200);

    expect(
      (await api(a, "PATCH", `/api/users/${mentor.id}/role`, { token: admin.accessToken, body: { role: "learner" } })).status,
    ).toBe(200);
    expect(
      (await api(b, "POST", "/api/cohorts", { token: mentor.accessToken, body: { name: "Mine", slug: slug() } })).status,
    ).toBe(403);
    expect((await api(b, "GET", lookup, { token: mentor.accessToken })).status).toBe(403);
    expect((await api(b, "GET", "/api/me", { token: mentor.accessToken })).body.user.role).toBe("learner");
  });

  it("a demoted admin loses admin rights over other cohorts at once; a promoted learner gains them", async () => {
    const admin = await adminOf(a);
    const admin2 = await makeUser(a, "admin");
    const mentor = await makeUser(a, "mentor");
    const cohort = await makeCohort(a, mentor);
    expect((await api(b, "GET", `/api/cohorts/${cohort.id}/members`, { token: admin2.accessToken })).status).toBe(200);

    expect(
      (await api(a, "PATCH", `/api/users/${admin2.id}/role`, { token: admin.accessToken, body: { role: "learner" } })).status,
    ).toBe(200);
    expect((await api(b, "GET", `/api/cohorts/${cohort.id}/members`, { token: admin2.accessToken })).status).toBe(403);
    expect(
      (await api(b, "PATCH", `/api/users/${mentor.id}/role`, { token: admin2.accessToken, body: { role: "admin" } })).status,
    ).toBe(403);

    expect(
      (await api(a, "PATCH", `/api/users/${admin2.id}/role`, { token: admin.accessToken, body: { role: "admin" } })).status,
    ).toBe(200);
    expect((await api(b, "GET", `/api/cohorts/${cohort.id}/members`, { token: admin2.accessToken })).status).toBe(200);
  });
});
