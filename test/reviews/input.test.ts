import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { api, makeCohort, makeUser, newId, type TestUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";

const KB = 1024;

describe("peer review input validation", () => {
  let cluster: Cluster;
  let node: Node;
  let mentor: TestUser, author: TestUser, reviewer: TestUser, outsider: TestUser;
  let cohortId: string;

  const create = (body: Record<string, unknown>, as: TestUser = author) =>
    api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: as.accessToken,
      body: { title: "t", language: "js", code: "x", ...body },
    });

  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0];
    mentor = await makeUser(node, "mentor");
    [author, reviewer, outsider] = await Promise.all([1, 2, 3].map(() => makeUser(node)));
    cohortId = (await makeCohort(node, mentor, [author, reviewer])).id;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("code is limited to 100 KB of UTF-8: exactly 100 KB is accepted, beyond is 413 (also for multi-byte text)", async () => {
    const ok = await create({ code: "a".repeat(100 * KB), reviewerIds: [] });
    expect(ok.status).toBe(201);
    expect(ok.body.review.code).toHaveLength(100 * KB);
    const over = await create({ code: "a".repeat(100 * KB + 1) });
    expect([over.status, over.body.error?.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    // 51 201 characters, 102 402 bytes
    const wide = await create({ code: "é".repeat(51_201) });
    expect([wide.status, wide.body.error?.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    const empty = await create({ code: "" });
    expect([empty.status, empty.body.error?.code]).toEqual([400, "INVALID_PAYLOAD"]);
  });

  it("a revision's code has the same limits", async () => {
    const created = await create({ reviewerIds: [reviewer.id] });
    const id = created.body.review.id;
    await api(node, "POST", `/api/reviews/${id}/verdict`, { token: reviewer.accessToken, body: { verdict: "request_changes" } });
    const over = await api(node, "POST", `/api/reviews/${id}/revisions`, {
      token: author.accessToken,
      body: { code: "b".repeat(100 * KB + 1) },
    });
    expect([over.status, over.body.error?.code]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    const missing = await api(node, "POST", `/api/reviews/${id}/revisions`, { token: author.accessToken, body: {} });
    expect(missing.status).toBe(400);
    const get = await api(node, "GET", `/api/reviews/${id}`, { token: author.accessToken });
    expect(get.body.review).toMatchObject({ revision: 1, status: "changes_requested", code: "x" });
  });

  it("title, description and language lengths (characters) and required fields", async () => {
    const bad: Record<string, unknown>[] = [
      { title: "" },
      { title: "t".repeat(201) },
      { language: "" },
      { language: "l".repeat(41) },
      { description: "d".repeat(10_001) },
      { title: undefined },
      { language: undefined },
      { code: undefined },
      { code: 42 },
    ];
    for (const b of bad) {
      const res = await create(b);
      expect([JSON.stringify(b).slice(0, 60), res.status, res.body.error?.code]).toEqual([
        JSON.stringify(b).slice(0, 60),
        400,
        "INVALID_PAYLOAD",
      ]);
    }
    const edge = await create({
      title: "🙂".repeat(200),
      language: "l".repeat(40),
      description: "d".repeat(10_000),
      unknownKey: 1,
    });
    expect(edge.status).toBe(201);
    expect(edge.body.review.description).toHaveLength(10_000);
    expect(edge.body.review).not.toHaveProperty("unknownKey");
    const noDescription = await create({});
    expect(noDescription.body.review.description).toBeNull();
  });

  it("odd text is never a 500: a lone surrogate is stored (and notified) as U+FFFD, NUL is 400", async () => {
    const res = await create({ title: "half \ud83d emoji", description: "\udc00", reviewerIds: [reviewer.id] });
    expect(res.status).toBe(201);
    expect(res.body.review.title).toBe("half \ufffd emoji");
    const inbox = await api(node, "GET", "/api/notifications?limit=100", { token: reviewer.accessToken });
    const requested = inbox.body.items.find((n: { payload: { reviewId?: string } }) => n.payload.reviewId === res.body.review.id);
    expect(requested).toMatchObject({ type: "review_requested", payload: { title: "half \ufffd emoji" } });
    for (const b of [{ title: "a\u0000b" }, { code: "a\u0000b" }, { description: "\u0000" }]) {
      expect((await create(b)).status).toBe(400);
    }
  });

  it("reviewerIds: uuids, at most 10, unique, members of the cohort other than the author (else 400)", async () => {
    const cases: unknown[] = [
      ["not-a-uuid"],
      Array.from({ length: 11 }, () => newId()),
      [reviewer.id, reviewer.id],
      [reviewer.id, reviewer.id.toUpperCase()],
      [author.id],
      [outsider.id],
      [newId()],
      "x",
    ];
    for (const reviewerIds of cases) {
      const res = await create({ reviewerIds });
      expect([res.status, res.body.error?.code]).toEqual([400, "INVALID_PAYLOAD"]);
    }
    const withMentor = await create({ reviewerIds: [reviewer.id, mentor.id] });
    expect(withMentor.status).toBe(201);
    expect(withMentor.body.reviewers.map((r: { user: { id: string } }) => r.user.id).sort()).toEqual(
      [reviewer.id, mentor.id].sort(),
    );
    expect(withMentor.body.assignment).toEqual({ mode: "explicit", requested: 2, assigned: 2 });
  });

  it("comments: body 1..5000, line an integer from 1 to the code's line count", async () => {
    const created = await create({ code: "one\ntwo\nthree\n", reviewerIds: [reviewer.id] });
    const id = created.body.review.id;
    const post = (body: unknown) => api(node, "POST", `/api/reviews/${id}/comments`, { token: reviewer.accessToken, body });
    for (const body of [
      { body: "" },
      { body: "b".repeat(5001) },
      {},
      { body: "x", line: 0 },
      { body: "x", line: -1 },
      { body: "x", line: 1.5 },
      { body: "x", line: "2" },
      { body: "x", line: 4 },
    ]) {
      const res = await post(body);
      expect([JSON.stringify(body).slice(0, 40), res.status, res.body.error?.code]).toEqual([
        JSON.stringify(body).slice(0, 40),
        400,
        "INVALID_PAYLOAD",
      ]);
    }
    const last = await post({ body: "b".repeat(5000), line: 3 });
    expect(last.status).toBe(201);
    expect(last.body.comment).toMatchObject({ line: 3, revision: 1 });
    const general = await post({ body: "overall fine", line: null });
    expect(general.body.comment.line).toBeNull();
    const single = await create({ code: "x" });
    const onLine2 = await api(node, "POST", `/api/reviews/${single.body.review.id}/comments`, {
      token: author.accessToken,
      body: { body: "x", line: 2 },
    });
    expect(onLine2.status).toBe(400);
  });

  it("verdict and list query values are validated", async () => {
    const created = await create({ reviewerIds: [reviewer.id] });
    const id = created.body.review.id;
    for (const body of [{}, { verdict: "maybe" }, { verdict: null }]) {
      const res = await api(node, "POST", `/api/reviews/${id}/verdict`, { token: reviewer.accessToken, body });
      expect(res.status).toBe(400);
    }
    for (const qs of ["status=done", "after=nope", "limit=0", "limit=101"]) {
      const res = await api(node, "GET", `/api/cohorts/${cohortId}/reviews?${qs}`, { token: author.accessToken });
      expect([qs, res.status]).toEqual([qs, 400]);
    }
    const malformedJson = await api(node, "POST", `/api/reviews/${id}/comments`, { token: reviewer.accessToken, body: "{nope" });
    expect(malformedJson.status).toBe(400);
  });

  it("lists a cohort's reviews by status, oldest first, with keyset paging", async () => {
    const other = (await makeCohort(node, mentor, [author, reviewer])).id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api(node, "POST", `/api/cohorts/${other}/reviews`, {
        token: author.accessToken,
        body: { title: `r${i}`, language: "js", code: "x", reviewerIds: [reviewer.id] },
      });
      ids.push(res.body.review.id);
    }
    await api(node, "POST", `/api/reviews/${ids[1]}/close`, { token: author.accessToken });
    await api(node, "POST", `/api/reviews/${ids[3]}/verdict`, { token: reviewer.accessToken, body: { verdict: "approve" } });
    const list = (qs: string) => api(node, "GET", `/api/cohorts/${other}/reviews?${qs}`, { token: reviewer.accessToken });
    const all = await list("");
    expect(all.body.reviews.map((r: { id: string }) => r.id)).toEqual(ids);
    expect(all.body.nextCursor).toBeNull();
    expect((await list("status=closed")).body.reviews.map((r: { id: string }) => r.id)).toEqual([ids[1]]);
    expect((await list("status=approved")).body.reviews.map((r: { id: string }) => r.id)).toEqual([ids[3]]);
    expect((await list("status=open")).body.reviews.map((r: { id: string }) => r.id)).toEqual([ids[0], ids[2], ids[4]]);
    const page1 = await list("limit=2");
    expect(page1.body.reviews.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
    expect(page1.body.nextCursor).toBe(ids[1]);
    const page2 = await list(`limit=2&after=${page1.body.nextCursor}`);
    expect(page2.body.reviews.map((r: { id: string }) => r.id)).toEqual(ids.slice(2, 4));
    const page3 = await list(`limit=2&after=${page2.body.nextCursor}`);
    expect(page3.body.reviews.map((r: { id: string }) => r.id)).toEqual([ids[4]]);
    expect(page3.body.nextCursor).toBeNull();
    expect((await list(`after=${ids[4]}`)).body).toEqual({ reviews: [], nextCursor: null });
    // an unknown cursor (or another cohort's review) is 404, not an empty page
    expect((await list(`after=${newId()}`)).status).toBe(404);
    const elsewhere = await api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: author.accessToken,
      body: { title: "elsewhere", language: "js", code: "x", reviewerIds: [] },
    });
    expect((await list(`after=${elsewhere.body.review.id}`)).status).toBe(404);
  });
});
