import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";
import { type ClientSocket, connect, emitAck, record } from "../support/sockets.js";
import { eventually } from "../support/time.js";

describe("peer review verdicts, revisions and closing", () => {
  let cluster: Cluster;
  let node: Node;
  let mentor: TestUser, author: TestUser, r1: TestUser, r2: TestUser;
  let cohortId: string;
  const sockets: ClientSocket[] = [];

  const create = async (reviewerIds: string[] = [r1.id, r2.id]) => {
    const res = await api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: author.accessToken,
      body: { title: "Binary search", language: "ts", code: "let lo = 0;\nlet hi = n;", reviewerIds },
    });
    expect(res.status).toBe(201);
    return res.body.review.id as string;
  };
  const verdict = (id: string, who: TestUser, v: "approve" | "request_changes") =>
    api(node, "POST", `/api/reviews/${id}/verdict`, { token: who.accessToken, body: { verdict: v } });
  const revise = (id: string, code = "let lo = 0, hi = n - 1;", who: TestUser = author) =>
    api(node, "POST", `/api/reviews/${id}/revisions`, { token: who.accessToken, body: { code } });
  const comment = (id: string, who: TestUser, body = "hm", line?: number) =>
    api(node, "POST", `/api/reviews/${id}/comments`, { token: who.accessToken, body: { body, line } });
  const close = (id: string, who: TestUser = author) => api(node, "POST", `/api/reviews/${id}/close`, { token: who.accessToken });
  const verdictsOf = (body: Record<string, any>) =>
    Object.fromEntries((body.reviewers as { user: { id: string }; verdict: string | null }[]).map((r) => [r.user.id, r.verdict]));
  const openAssignments = async (id: string) =>
    (
      await sql<{ reviewer_id: string }>(
        cluster.dbUrl,
        `SELECT reviewer_id FROM review_assignments WHERE review_id = $1 AND open ORDER BY reviewer_id`,
        [id],
      )
    ).map((r) => r.reviewer_id);

  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0];
    mentor = await makeUser(node, "mentor");
    [author, r1, r2] = await Promise.all([1, 2, 3].map(() => makeUser(node)));
    cohortId = (await makeCohort(node, mentor, [author, r1, r2])).id;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  it("walks every transition: open → changes_requested → approved → changes_requested → (revision) open → approved → closed", async () => {
    const id = await create();
    const watcher = await connect(node, mentor.accessToken);
    sockets.push(watcher);
    expect(await emitAck(watcher, "review:subscribe", { reviewId: id })).toEqual({ ok: true });
    const statuses = record(watcher, "review:status");
    expect(await openAssignments(id)).toEqual([r1.id, r2.id].sort());

    // one approval of two: still open (no status event); r1's assignment is done, r2's still open
    let res = await verdict(id, r1, "approve");
    expect(res.status).toBe(200);
    expect(res.body.review.status).toBe("open");
    expect(verdictsOf(res.body)).toEqual({ [r1.id]: "approve", [r2.id]: null });
    expect(await openAssignments(id)).toEqual([r2.id]);

    // any change request wins
    res = await verdict(id, r2, "request_changes");
    expect(res.body.review.status).toBe("changes_requested");
    expect(await openAssignments(id)).toEqual([]);
    // an early comment stays on revision 1
    const early = await comment(id, r2, "off by one", 2);
    expect(early.body.comment.revision).toBe(1);

    // a new verdict replaces the last: every reviewer approved → approved
    res = await verdict(id, r2, "approve");
    expect(res.body.review.status).toBe("approved");
    expect(verdictsOf(res.body)).toEqual({ [r1.id]: "approve", [r2.id]: "approve" });
    // a revision needs requested changes
    expect((await revise(id)).status).toBe(409);

    // a reviewer may change their mind on an approved review
    res = await verdict(id, r1, "request_changes");
    expect(res.body.review.status).toBe("changes_requested");

    // the revision: code replaced, revision + 1, verdicts reset, assignments open again, status open
    res = await revise(id, "let lo = 0, hi = n - 1;\nwhile (lo <= hi) {}\n");
    expect(res.status).toBe(200);
    expect(res.body.review).toMatchObject({
      id,
      revision: 2,
      status: "open",
      code: "let lo = 0, hi = n - 1;\nwhile (lo <= hi) {}\n",
    });
    expect(verdictsOf(res.body)).toEqual({ [r1.id]: null, [r2.id]: null });
    expect(await openAssignments(id)).toEqual([r1.id, r2.id].sort());
    expect((await revise(id)).status).toBe(409); // open again: no second revision

    const late = await comment(id, r1, "better", 2);
    expect(late.body.comment.revision).toBe(2);

    res = await verdict(id, r1, "approve");
    expect(res.body.review.status).toBe("open");
    res = await verdict(id, r2, "approve");
    expect(res.body.review.status).toBe("approved");
    expect(await openAssignments(id)).toEqual([]);

    res = await close(id);
    expect(res.status).toBe(200);
    expect(res.body.review.status).toBe("closed");

    // nothing changes a closed review
    for (const attempt of [
      verdict(id, r1, "request_changes"),
      comment(id, r1),
      revise(id),
      close(id),
      close(id, mentor),
      comment(id, mentor),
    ]) {
      const r = await attempt;
      expect([r.status, r.body.error?.code]).toEqual([409, "CONFLICT"]);
    }

    const got = await api(node, "GET", `/api/reviews/${id}`, { token: r1.accessToken });
    expect(got.body.review).toMatchObject({ status: "closed", revision: 2 });
    expect(got.body.comments.map((c: { body: string; revision: number; line: number }) => [c.body, c.revision, c.line])).toEqual([
      ["off by one", 1, 2],
      ["better", 2, 2],
    ]);
    expect(new Date(got.body.review.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(got.body.review.createdAt).getTime());

    const expected = ["changes_requested", "approved", "changes_requested", "open", "approved", "closed"];
    await eventually(() => statuses.length >= expected.length);
    expect(statuses).toEqual(expected.map((status) => ({ reviewId: id, status })));
  });

  it("the author is told each verdict (review_verdict) and reviewers each revision (review_revised)", async () => {
    const id = await create();
    await verdict(id, r1, "request_changes");
    await revise(id);
    const items = async (u: TestUser) =>
      (
        (await api(node, "GET", "/api/notifications?limit=100", { token: u.accessToken })).body.items as {
          type: string;
          payload: Record<string, unknown>;
        }[]
      ).filter((n) => n.payload.reviewId === id);
    expect((await items(author)).map((n) => [n.type, n.payload])).toEqual([
      [
        "review_verdict",
        {
          reviewId: id,
          cohortId,
          verdict: "request_changes",
          status: "changes_requested",
          title: "Binary search",
          reviewer: { id: r1.id, displayName: r1.displayName },
        },
      ],
    ]);
    for (const r of [r1, r2]) {
      expect((await items(r)).map((n) => [n.type, n.payload])).toEqual([
        ["review_requested", { reviewId: id, cohortId, title: "Binary search" }],
        ["review_revised", { reviewId: id, cohortId, title: "Binary search" }],
      ]);
    }
    expect(await items(mentor)).toEqual([]);
  });

  it("closing frees the open assignments; a mentor may close an open review; a review without reviewers stays open", async () => {
    const id = await create();
    await verdict(id, r1, "approve");
    expect(await openAssignments(id)).toEqual([r2.id]);
    const res = await close(id, mentor);
    expect(res.body.review.status).toBe("closed");
    expect(await openAssignments(id)).toEqual([]);

    const lonely = await create([]);
    expect((await api(node, "GET", `/api/reviews/${lonely}`, { token: author.accessToken })).body.review.status).toBe("open");
    expect((await revise(lonely)).status).toBe(409);
    expect((await close(lonely)).body.review.status).toBe("closed");
  });

  it("concurrent verdicts are serialised on the review row: both approvals count", async () => {
    for (let round = 0; round < 5; round++) {
      const id = await create();
      const [a, b] = await Promise.all([verdict(id, r1, "approve"), verdict(id, r2, "approve")]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const got = await api(node, "GET", `/api/reviews/${id}`, { token: author.accessToken });
      expect(got.body.review.status).toBe("approved");
      expect([a.body.review.status, b.body.review.status].sort()).toEqual(["approved", "open"]);
    }
    // a close racing a verdict: whichever comes second sees the other's result, never a lost update
    const id = await create();
    const [v, c] = await Promise.all([verdict(id, r1, "request_changes"), close(id)]);
    expect(c.status).toBe(200);
    expect([200, 409]).toContain(v.status);
    expect((await api(node, "GET", `/api/reviews/${id}`, { token: author.accessToken })).body.review.status).toBe("closed");
  });
});
