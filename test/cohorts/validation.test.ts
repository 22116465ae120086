import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { adminOf, api, makeCohort, makeUser, newId, type TestUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";

type Case = [label: string, body: unknown, status: number, code: string];
const MALFORMED_IDS = ["not-a-uuid", "1", "00000000-0000-0000-0000-00000000000z", "' OR 1=1 --"];

describe("bad input on the cohort routes is a 4xx, never a 500", () => {
  let cluster: Cluster;
  let node: Node;
  let admin: TestUser;
  let mentor: TestUser;
  let learner: TestUser;
  let cohort: { id: string; slug: string };
  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0]!;
    admin = await adminOf(node);
    mentor = await makeUser(node, "mentor");
    learner = await makeUser(node);
    cohort = await makeCohort(node, mentor, [learner]);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  async function check(method: string, path: string, cases: Case[], token = mentor.accessToken) {
    for (const [label, body, status, code] of cases) {
      const res = await api(node, method, path, { token, body });
      expect({ label, status: res.status, code: res.body?.error?.code }).toEqual({ label, status, code });
    }
  }
  const slug = () => `v-${randomBytes(5).toString("hex")}`;

  it("POST /api/cohorts", async () => {
    await check("POST", "/api/cohorts", [
      ["no body", undefined, 400, "INVALID_PAYLOAD"],
      ["array", [{ name: "x", slug: slug() }], 400, "INVALID_PAYLOAD"],
      ["missing name", { slug: slug() }, 400, "INVALID_PAYLOAD"],
      ["missing slug", { name: "Name" }, 400, "INVALID_PAYLOAD"],
      ["name empty", { name: "", slug: slug() }, 400, "INVALID_PAYLOAD"],
      ["name 121 chars", { name: "n".repeat(121), slug: slug() }, 400, "INVALID_PAYLOAD"],
      ["name a number", { name: 5, slug: slug() }, 400, "INVALID_PAYLOAD"],
      ["name with NUL", { name: "a\u0000b", slug: slug() }, 400, "INVALID_PAYLOAD"],
      ["slug leading dash", { name: "N", slug: "-abc" }, 400, "INVALID_PAYLOAD"],
      ["slug trailing dash", { name: "N", slug: "abc-" }, 400, "INVALID_PAYLOAD"],
      ["slug slash", { name: "N", slug: "a/b" }, 400, "INVALID_PAYLOAD"],
      ["slug space", { name: "N", slug: "a b" }, 400, "INVALID_PAYLOAD"],
      ["slug empty", { name: "N", slug: "" }, 400, "INVALID_PAYLOAD"],
      ["slug 65 chars", { name: "N", slug: "s".repeat(65) }, 400, "INVALID_PAYLOAD"],
      ["slug a number", { name: "N", slug: 12 }, 400, "INVALID_PAYLOAD"],
      ["slug unicode", { name: "N", slug: "café" }, 400, "INVALID_PAYLOAD"],
      ["duplicate slug", { name: "N", slug: cohort.slug }, 409, "CONFLICT"],
      ["body over 1 MB", { name: "n".repeat(1_100_000), slug: slug() }, 413, "PAYLOAD_TOO_LARGE"],
    ]);
    const edge = await api(node, "POST", "/api/cohorts", {
      token: mentor.accessToken,
      body: { name: "é".repeat(120), slug: `a${"-".repeat(62)}z` },
    });
    expect(edge.status).toBe(201);
    expect(
      (await api(node, "POST", "/api/cohorts", { token: mentor.accessToken, body: { name: "One", slug: "7" } })).status,
    ).toBe(201);
    const mixed = await api(node, "POST", "/api/cohorts", {
      token: mentor.accessToken,
      body: { name: "Mixed", slug: `Intro_2024.${slug()}` },
    });
    expect(mixed.status).toBe(201);
    expect(mixed.body.cohort.slug).toMatch(/^Intro_2024\./);
  });

  it("GET /api/cohorts paging parameters", async () => {
    for (const [q, status] of [
      ["?after=nope", 400],
      ["?limit=0", 400],
      ["?limit=101", 400],
      ["?limit=abc", 400],
      ["?limit=1.5", 400],
      [`?after=${newId()}`, 404],
      ["?after=11111111-1111-1111-1111-111111111111", 404],
      ["?limit=100", 200],
    ] as const) {
      const res = await api(node, "GET", `/api/cohorts${q}`, { token: mentor.accessToken });
      expect({ q, status: res.status }).toEqual({ q, status });
    }
  });

  it("pages the caller's cohorts and a cohort's members oldest first with an exclusive cursor", async () => {
    const owner = await makeUser(node, "mentor");
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await makeCohort(node, owner));
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: { status: number; body: any } = await api(node, "GET", `/api/cohorts?limit=2${after ? `&after=${after}` : ""}`, {
        token: owner.accessToken,
      });
      expect(res.status).toBe(200);
      seen.push(...res.body.cohorts.map((c: { id: string }) => c.id));
      after = res.body.nextCursor;
      if (!after) break;
    }
    expect(seen).toEqual(made.map((c) => c.id));

    const people = [await makeUser(node), await makeUser(node), await makeUser(node)];
    const c = await makeCohort(node, owner, people);
    const first = await api(node, "GET", `/api/cohorts/${c.id}/members?limit=2`, { token: owner.accessToken });
    expect(first.body.members.map((m: { user: { id: string } }) => m.user.id)).toEqual([owner.id, people[0]!.id]);
    expect(first.body.nextCursor).toBe(people[0]!.id);
    const rest = await api(node, "GET", `/api/cohorts/${c.id}/members?limit=2&after=${first.body.nextCursor}`, {
      token: owner.accessToken,
    });
    expect(rest.body.members.map((m: { user: { id: string } }) => m.user.id)).toEqual([people[1]!.id, people[2]!.id]);
    expect(rest.body.nextCursor).toBeNull();
    expect((await api(node, "GET", `/api/cohorts/${c.id}/members?after=bad`, { token: owner.accessToken })).status).toBe(400);
    // an unknown cursor (or one naming a member since removed) is 404, never a silently empty page
    expect((await api(node, "GET", `/api/cohorts/${c.id}/members?after=${newId()}`, { token: owner.accessToken })).status).toBe(
      404,
    );
    // an existing cohort the caller does not (or no longer) belong to still works as a cursor
    const left = await api(node, "GET", `/api/cohorts?after=${cohort.id}`, { token: owner.accessToken });
    expect(left.status).toBe(200);
  });

  it("an id in upper-case hex names the same cohort and user (permissions, cache invalidation)", async () => {
    const upper = cohort.id.toUpperCase();
    const got = await api(node, "GET", `/api/cohorts/${upper}`, { token: mentor.accessToken });
    expect(got.status).toBe(200);
    expect(got.body.cohort.id).toBe(cohort.id);
    const newcomer = await makeUser(node);
    expect((await api(node, "GET", `/api/cohorts/${cohort.id}`, { token: newcomer.accessToken })).status).toBe(403);
    const added = await api(node, "POST", `/api/cohorts/${upper}/members`, {
      token: mentor.accessToken,
      body: { userId: newcomer.id.toUpperCase(), role: "learner" },
    });
    expect(added.status).toBe(201);
    expect(added.body.member.user.id).toBe(newcomer.id);
    // the newcomer's cached access was dropped: the membership counts from the next request
    expect((await api(node, "GET", `/api/cohorts/${upper}`, { token: newcomer.accessToken })).status).toBe(200);
    const page = await api(node, "GET", `/api/cohorts/${cohort.id}/members?after=${mentor.id.toUpperCase()}`, {
      token: newcomer.accessToken,
    });
    expect(page.status).toBe(200);
    expect(page.body.members.map((m: { user: { id: string } }) => m.user.id)).toContain(newcomer.id);
  });

  it("a well-formed id that names nothing is 404, whatever its UUID version", async () => {
    for (const id of [newId(), "11111111-1111-1111-1111-111111111111", "00000000-0000-0000-0000-000000000001"]) {
      const res = await api(node, "GET", `/api/cohorts/${id}`, { token: mentor.accessToken });
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
    }
  });

  it("malformed ids in every path are 400", async () => {
    for (const bad of MALFORMED_IDS) {
      const id = encodeURIComponent(bad);
      const calls = [
        api(node, "GET", `/api/cohorts/${id}`, { token: admin.accessToken }),
        api(node, "GET", `/api/cohorts/${id}/members`, { token: admin.accessToken }),
        api(node, "POST", `/api/cohorts/${id}/members`, {
          token: admin.accessToken,
          body: { userId: learner.id, role: "learner" },
        }),
        api(node, "DELETE", `/api/cohorts/${id}/members/${learner.id}`, { token: admin.accessToken }),
        api(node, "DELETE", `/api/cohorts/${cohort.id}/members/${id}`, { token: admin.accessToken }),
        api(node, "PATCH", `/api/cohorts/${id}/members/${learner.id}`, { token: admin.accessToken, body: { role: "mentor" } }),
        api(node, "PATCH", `/api/cohorts/${cohort.id}/members/${id}`, { token: admin.accessToken, body: { role: "mentor" } }),
      ];
      for (const res of await Promise.all(calls)) {
        expect({ bad, status: res.status, code: res.body.error?.code }).toEqual({ bad, status: 400, code: "INVALID_PAYLOAD" });
      }
    }
  });

  it("POST /api/cohorts/:id/members", async () => {
    await check("POST", `/api/cohorts/${cohort.id}/members`, [
      ["no body", undefined, 400, "INVALID_PAYLOAD"],
      ["missing userId", { role: "learner" }, 400, "INVALID_PAYLOAD"],
      ["missing role", { userId: learner.id }, 400, "INVALID_PAYLOAD"],
      ["userId not a uuid", { userId: "abc", role: "learner" }, 400, "INVALID_PAYLOAD"],
      ["userId a number", { userId: 7, role: "learner" }, 400, "INVALID_PAYLOAD"],
      ["role admin", { userId: learner.id, role: "admin" }, 400, "INVALID_PAYLOAD"],
      ["role a number", { userId: learner.id, role: 1 }, 400, "INVALID_PAYLOAD"],
      ["unknown user", { userId: newId(), role: "learner" }, 404, "NOT_FOUND"],
      ["already a member", { userId: learner.id, role: "mentor" }, 409, "CONFLICT"],
    ]);
  });

  it("PATCH /api/cohorts/:id/members/:userId", async () => {
    await check("PATCH", `/api/cohorts/${cohort.id}/members/${learner.id}`, [
      ["no body", undefined, 400, "INVALID_PAYLOAD"],
      ["role admin", { role: "admin" }, 400, "INVALID_PAYLOAD"],
      ["role null", { role: null }, 400, "INVALID_PAYLOAD"],
    ]);
    await check("PATCH", `/api/cohorts/${cohort.id}/members/${newId()}`, [
      ["unknown member", { role: "mentor" }, 404, "NOT_FOUND"],
    ]);
  });

  it("DELETE /api/cohorts/:id/members/:userId on an unknown user is 404", async () => {
    const res = await api(node, "DELETE", `/api/cohorts/${cohort.id}/members/${newId()}`, { token: mentor.accessToken });
    expect(res.status).toBe(404);
  });
});
