/** The owner rule, adding by id only for global mentors and admins, and enrolment by invitation (contract v2). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { adminOf, api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import type { Node } from "../support/servers.js";

describe("cohort owner and invitations", () => {
  let cluster: Cluster;
  let a: Node;
  let b: Node;
  let owner: TestUser;
  let admin: TestUser;
  beforeAll(async () => {
    cluster = await startCluster(2);
    [a, b] = cluster.nodes as [Node, Node];
    owner = await makeUser(a, "mentor");
    admin = await adminOf(a);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("the creator is the owner: another cohort mentor cannot remove or demote them (403); an admin can", async () => {
    const coMentor = await makeUser(a, "mentor");
    const cohort = await makeCohort(a, owner, [{ user: coMentor, role: "mentor" }]);
    const got = await api(b, "GET", `/api/cohorts/${cohort.id}`, { token: coMentor.accessToken });
    expect(got.status).toBe(200);
    expect(got.body.cohort.ownerId).toBe(owner.id);

    const demote = await api(a, "PATCH", `/api/cohorts/${cohort.id}/members/${owner.id}`, {
      token: coMentor.accessToken,
      body: { role: "learner" },
    });
    expect(demote.status).toBe(403);
    expect(demote.body.error.code).toBe("FORBIDDEN");
    const remove = await api(b, "DELETE", `/api/cohorts/${cohort.id}/members/${owner.id}`, { token: coMentor.accessToken });
    expect(remove.status).toBe(403);
    const roles = await sql(cluster.dbUrl, "SELECT role FROM memberships WHERE cohort_id = $1 AND user_id = $2", [
      cohort.id,
      owner.id,
    ]);
    expect(roles).toEqual([{ role: "mentor" }]);
    // the owner may demote another mentor; an admin may demote and remove the owner
    const ownerDemotes = await api(a, "PATCH", `/api/cohorts/${cohort.id}/members/${coMentor.id}`, {
      token: owner.accessToken,
      body: { role: "learner" },
    });
    expect(ownerDemotes.status).toBe(200);
    expect(
      (
        await api(a, "PATCH", `/api/cohorts/${cohort.id}/members/${owner.id}`, {
          token: admin.accessToken,
          body: { role: "learner" },
        })
      ).status,
    ).toBe(200);
    expect((await api(a, "DELETE", `/api/cohorts/${cohort.id}/members/${owner.id}`, { token: admin.accessToken })).status).toBe(
      204,
    );
  });

  it("a cohort mentor whose global role is learner cannot add users by id (no emails); they invite instead", async () => {
    const learnerMentor = await makeUser(a);
    const stranger = await makeUser(a);
    const cohort = await makeCohort(a, owner, [{ user: learnerMentor, role: "mentor" }]);
    const added = await api(a, "POST", `/api/cohorts/${cohort.id}/members`, {
      token: learnerMentor.accessToken,
      body: { userId: stranger.id, role: "learner" },
    });
    expect(added.status).toBe(403);
    expect(JSON.stringify(added.body)).not.toContain(stranger.email);
    const invite = await api(a, "POST", `/api/cohorts/${cohort.id}/invitations`, {
      token: learnerMentor.accessToken,
      body: { role: "learner" },
    });
    expect(invite.status).toBe(201);
  });

  it("create/list/delete for mentors and admins only; accept by any logged-in user; dead codes are 404", async () => {
    const learner = await makeUser(a);
    const outsider = await makeUser(a);
    const cohort = await makeCohort(a, owner, [learner]);

    const created = await api(a, "POST", `/api/cohorts/${cohort.id}/invitations`, {
      token: owner.accessToken,
      body: { role: "learner", maxUses: 2, expiresInDays: 3 },
    });
    expect(created.status).toBe(201);
    const inv = created.body.invitation;
    expect(inv).toMatchObject({ cohortId: cohort.id, role: "learner", maxUses: 2, uses: 0 });
    expect(typeof inv.code).toBe("string");
    const days = (Date.parse(inv.expiresAt) - Date.parse(inv.createdAt)) / 86_400_000;
    expect(Math.round(days)).toBe(3);
    const defaults = await api(a, "POST", `/api/cohorts/${cohort.id}/invitations`, {
      token: admin.accessToken,
      body: { role: "mentor" },
    });
    expect(defaults.status).toBe(201);
    expect(defaults.body.invitation).toMatchObject({ maxUses: 1, uses: 0, role: "mentor" });

    for (const body of [
      { role: "admin" },
      { role: "learner", maxUses: 0 },
      { role: "learner", maxUses: 1001 },
      { role: "learner", expiresInDays: 91 },
    ]) {
      expect((await api(a, "POST", `/api/cohorts/${cohort.id}/invitations`, { token: owner.accessToken, body })).status).toBe(
        400,
      );
    }
    for (const who of [learner, outsider]) {
      expect(
        (await api(a, "POST", `/api/cohorts/${cohort.id}/invitations`, { token: who.accessToken, body: { role: "learner" } }))
          .status,
      ).toBe(403);
      expect((await api(a, "GET", `/api/cohorts/${cohort.id}/invitations`, { token: who.accessToken })).status).toBe(403);
      expect((await api(a, "DELETE", `/api/invitations/${inv.id}`, { token: who.accessToken })).status).toBe(403);
    }
    const listed = await api(b, "GET", `/api/cohorts/${cohort.id}/invitations`, { token: owner.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.invitations.map((i: { id: string }) => i.id).sort()).toEqual([inv.id, defaults.body.invitation.id].sort());

    // an existing member: 200, role unchanged, no use counted
    const asMember = await api(a, "POST", `/api/invitations/${inv.code}/accept`, { token: learner.accessToken });
    expect(asMember.status).toBe(200);
    expect(asMember.body.member.role).toBe("learner");
    const mentorCode = defaults.body.invitation.code;
    const memberWithMentorCode = await api(a, "POST", `/api/invitations/${mentorCode}/accept`, { token: learner.accessToken });
    expect(memberWithMentorCode.body.member.role).toBe("learner");

    // the outsider joins; a mentor invitation grants the cohort role mentor
    const joined = await api(b, "POST", `/api/invitations/${inv.code}/accept`, { token: outsider.accessToken });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ cohort: { id: cohort.id }, member: { user: { id: outsider.id }, role: "learner" } });
    expect((await api(a, "GET", `/api/cohorts/${cohort.id}`, { token: outsider.accessToken })).status).toBe(200);
    const newMentor = await makeUser(a);
    const asMentor = await api(a, "POST", `/api/invitations/${mentorCode}/accept`, { token: newMentor.accessToken });
    expect(asMentor.body.member.role).toBe("mentor");
    const me = await api(a, "GET", "/api/me", { token: newMentor.accessToken });
    expect(me.body.user.role).toBe("learner");

    // used up (mentor code: 1 use), unknown, expired, deleted → 404 for anyone
    const late = await makeUser(a);
    expect((await api(a, "POST", `/api/invitations/${mentorCode}/accept`, { token: late.accessToken })).status).toBe(404);
    expect((await api(a, "POST", `/api/invitations/${mentorCode}/accept`, { token: admin.accessToken })).status).toBe(404);
    expect((await api(a, "POST", `/api/invitations/no-such-code/accept`, { token: late.accessToken })).status).toBe(404);
    const expiring = await api(a, "POST", `/api/cohorts/${cohort.id}/invitations`, {
      token: owner.accessToken,
      body: { role: "learner", maxUses: 5 },
    });
    await sql(cluster.dbUrl, "UPDATE cohort_invitations SET expires_at = now() - interval '1 second' WHERE id = $1", [
      expiring.body.invitation.id,
    ]);
    expect(
      (await api(a, "POST", `/api/invitations/${expiring.body.invitation.code}/accept`, { token: late.accessToken })).status,
    ).toBe(404);
    // an expired code is 404 for a member too
    expect(
      (await api(a, "POST", `/api/invitations/${expiring.body.invitation.code}/accept`, { token: learner.accessToken })).status,
    ).toBe(404);
    const deleting = await api(a, "POST", `/api/cohorts/${cohort.id}/invitations`, {
      token: owner.accessToken,
      body: { role: "learner", maxUses: 5 },
    });
    expect((await api(b, "DELETE", `/api/invitations/${deleting.body.invitation.id}`, { token: owner.accessToken })).status).toBe(
      204,
    );
    expect(
      (await api(a, "POST", `/api/invitations/${deleting.body.invitation.code}/accept`, { token: late.accessToken })).status,
    ).toBe(404);
    expect((await api(b, "DELETE", `/api/invitations/${deleting.body.invitation.id}`, { token: owner.accessToken })).status).toBe(
      404,
    );
    expect((await api(a, "POST", `/api/invitations/${inv.code}/accept`)).status).toBe(401);

    const [{ uses }] = await sql<{ uses: number }>(cluster.dbUrl, "SELECT uses FROM cohort_invitations WHERE id = $1", [inv.id]);
    expect(uses).toBe(1);
  });

  it("maxUses holds under concurrent accepts on both nodes", async () => {
    const cohort = await makeCohort(a, owner);
    const inv = await api(a, "POST", `/api/cohorts/${cohort.id}/invitations`, {
      token: owner.accessToken,
      body: { role: "learner", maxUses: 3 },
    });
    const users = await Promise.all(Array.from({ length: 10 }, () => makeUser(a)));
    const results = await Promise.all(
      users.map((u, i) =>
        api(i % 2 ? a : b, "POST", `/api/invitations/${inv.body.invitation.code}/accept`, { token: u.accessToken }),
      ),
    );
    expect(results.filter((r) => r.status === 200).length).toBe(3);
    expect(results.filter((r) => r.status === 404).length).toBe(7);
    const members = await sql(cluster.dbUrl, "SELECT user_id FROM memberships WHERE cohort_id = $1", [cohort.id]);
    expect(members.length).toBe(4);
    const [{ uses }] = await sql<{ uses: number }>(cluster.dbUrl, "SELECT uses FROM cohort_invitations WHERE id = $1", [
      inv.body.invitation.id,
    ]);
    expect(uses).toBe(3);
  });
});
