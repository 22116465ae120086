import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";

describe("peer review auto-assignment", () => {
  let cluster: Cluster;
  let node: Node;
  let mentor: TestUser;

  const request = (cohortId: string, as: TestUser, title = "please review") =>
    api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: as.accessToken,
      body: { title, language: "py", code: "print(1)" },
    });

  /** Open assignments per user, across every review, straight from the database. */
  async function openLoad(userIds: string[]): Promise<Map<string, number>> {
    const rows = await sql<{ reviewer_id: string; n: number }>(
      cluster.dbUrl,
      `SELECT reviewer_id, count(*)::int AS n FROM review_assignments WHERE open GROUP BY reviewer_id`,
    );
    const load = new Map(userIds.map((id) => [id, 0]));
    for (const r of rows) load.set(r.reviewer_id, (load.get(r.reviewer_id) ?? 0) + r.n);
    return load;
  }

  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0];
    mentor = await makeUser(node, "mentor");
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("twenty concurrent requests by one learner spread evenly over the six other learners, never the author or a mentor", async () => {
    const author = await makeUser(node);
    const learners = await Promise.all(Array.from({ length: 6 }, () => makeUser(node)));
    const coMentor = await makeUser(node, "mentor");
    const cohort = await makeCohort(node, mentor, [author, ...learners, { user: coMentor, role: "mentor" }]);

    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => request(cohort.id, author, `r${i}`)));
    for (const res of responses) {
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.review.status).toBe("open");
      expect(res.body.assignment).toEqual({ mode: "auto", requested: 2, assigned: 2 });
      const ids = res.body.reviewers.map((r: { user: { id: string } }) => r.user.id);
      expect(new Set(ids).size).toBe(2);
      expect(ids).not.toContain(author.id);
      for (const r of res.body.reviewers) expect(r.verdict).toBeNull();
    }

    const load = await openLoad([author.id, mentor.id, coMentor.id, ...learners.map((l) => l.id)]);
    expect(load.get(author.id)).toBe(0);
    expect(load.get(mentor.id)).toBe(0);
    expect(load.get(coMentor.id)).toBe(0);
    const counts = learners.map((l) => load.get(l.id) ?? 0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);

    // the REST view agrees with the database
    const listed = await api(node, "GET", `/api/cohorts/${cohort.id}/reviews?limit=100`, { token: author.accessToken });
    expect(listed.body.reviews).toHaveLength(20);
  });

  it("picks the least-loaded learners: a freed reviewer is preferred again", async () => {
    const author = await makeUser(node);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => makeUser(node)));
    const cohort = await makeCohort(node, mentor, [author, a, b, c]);
    const first = await request(cohort.id, author);
    const firstIds: string[] = first.body.reviewers.map((r: { user: { id: string } }) => r.user.id);
    const left = [a, b, c].find((u) => !firstIds.includes(u.id))!;
    // the one left out has no open assignment: the next request must include them
    const second = await request(cohort.id, author);
    expect(second.body.reviewers.map((r: { user: { id: string } }) => r.user.id)).toContain(left.id);

    // loads are now {left: 1, and 1 or 2 for the others}; closing both reviews frees everyone
    for (const res of [first, second]) {
      expect((await api(node, "POST", `/api/reviews/${res.body.review.id}/close`, { token: author.accessToken })).status).toBe(
        200,
      );
    }
    const freed = await openLoad([a.id, b.id, c.id]);
    expect([a, b, c].map((u) => freed.get(u.id))).toEqual([0, 0, 0]);

    // a verdict closes that reviewer's assignment: they become the least loaded
    const third = await request(cohort.id, author);
    const [r1, r2] = third.body.reviewers.map((r: { user: { id: string } }) => r.user.id as string);
    const fourthOut = [a, b, c].find((u) => u.id !== r1 && u.id !== r2)!;
    const reviewer1 = [a, b, c].find((u) => u.id === r1)!;
    await api(node, "POST", `/api/reviews/${third.body.review.id}/verdict`, {
      token: reviewer1.accessToken,
      body: { verdict: "approve" },
    });
    // loads: r1 0, r2 1, fourthOut 0 → the next review goes to r1 and fourthOut
    const fourth = await request(cohort.id, author);
    expect(fourth.body.reviewers.map((r: { user: { id: string } }) => r.user.id).sort()).toEqual([r1, fourthOut.id].sort());
  });

  it("fewer than two other learners: assigns what there is, possibly none, and says so", async () => {
    const author = await makeUser(node);
    const only = await makeUser(node);
    const small = await makeCohort(node, mentor, [author, only]);
    const one = await request(small.id, author);
    expect(one.status).toBe(201);
    expect(one.body.reviewers).toEqual([{ user: { id: only.id, displayName: only.displayName }, verdict: null }]);
    expect(one.body.assignment).toEqual({ mode: "auto", requested: 2, assigned: 1 });

    const alone = await makeCohort(node, mentor, [author]);
    const none = await request(alone.id, author);
    expect(none.status).toBe(201);
    expect(none.body.reviewers).toEqual([]);
    expect(none.body.assignment).toEqual({ mode: "auto", requested: 2, assigned: 0 });
    expect(none.body.review.status).toBe("open");

    // a mentor's own review goes to two learners; the mentor is never picked for anyone's
    const byMentor = await request(small.id, mentor);
    expect(byMentor.body.reviewers.map((r: { user: { id: string } }) => r.user.id).sort()).toEqual([author.id, only.id].sort());
  });

  it("explicit reviewerIds are used as given (an empty list assigns nobody)", async () => {
    const author = await makeUser(node);
    const [a, b] = await Promise.all([1, 2].map(() => makeUser(node)));
    const cohort = await makeCohort(node, mentor, [author, a, b]);
    const res = await api(node, "POST", `/api/cohorts/${cohort.id}/reviews`, {
      token: author.accessToken,
      body: { title: "t", language: "go", code: "package main", reviewerIds: [b.id] },
    });
    expect(res.body.reviewers.map((r: { user: { id: string } }) => r.user.id)).toEqual([b.id]);
    expect(res.body.assignment).toEqual({ mode: "explicit", requested: 1, assigned: 1 });
    const empty = await api(node, "POST", `/api/cohorts/${cohort.id}/reviews`, {
      token: author.accessToken,
      body: { title: "t", language: "go", code: "package main", reviewerIds: [] },
    });
    expect(empty.body.reviewers).toEqual([]);
    expect(empty.body.assignment).toEqual({ mode: "explicit", requested: 0, assigned: 0 });
  });
});
