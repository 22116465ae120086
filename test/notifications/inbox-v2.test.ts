import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";

describe("notifications v2: newest first, richer payloads", () => {
  let cluster: Cluster;
  let mentor: TestUser, author: TestUser, reviewer: TestUser, learner: TestUser;
  let cohortId: string;
  beforeAll(async () => {
    cluster = await startCluster(1, { redis: false });
    const node = cluster.nodes[0];
    mentor = await makeUser(node, "mentor", "Mentor Grace");
    author = await makeUser(node, "learner", "Author Alan");
    reviewer = await makeUser(node, "learner", "Reviewer Ada");
    learner = await makeUser(node, "learner", "Learner Lin");
    cohortId = (await makeCohort(node, mentor, [author, reviewer, learner])).id;
  });
  afterAll(async () => {
    await cluster?.close();
  });
  const inbox = async (user: TestUser, query = "") =>
    (await api(cluster.nodes[0], "GET", `/api/notifications${query}`, { token: user.accessToken })).body;

  it("order=desc lists newest first and `after` continues towards older items; asc stays the default", async () => {
    for (const title of ["one", "two", "three", "four", "five"]) {
      const res = await api(cluster.nodes[0], "POST", `/api/cohorts/${cohortId}/announcements`, {
        token: mentor.accessToken,
        body: { title, body: "b" },
      });
      expect(res.status).toBe(201);
    }
    const titles = (page: Record<string, any>) => (page.items as { payload: { title: string } }[]).map((n) => n.payload.title);
    const first = await inbox(learner, "?order=desc&limit=2");
    expect(titles(first)).toEqual(["five", "four"]);
    expect(first.nextCursor).toBe(first.items[1].id);
    const second = await inbox(learner, `?order=desc&limit=2&after=${first.nextCursor}`);
    expect(titles(second)).toEqual(["three", "two"]);
    const third = await inbox(learner, `?order=desc&limit=2&after=${second.nextCursor}`);
    expect(titles(third)).toEqual(["one"]);
    expect(third.nextCursor).toBeNull();
    expect(titles(await inbox(learner))).toEqual(["one", "two", "three", "four", "five"]);
    expect(titles(await inbox(learner, "?order=asc&limit=2"))).toEqual(["one", "two"]);
    const bad = await api(cluster.nodes[0], "GET", "/api/notifications?order=sideways", { token: learner.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_PAYLOAD");
    // every announcement names its author
    expect((await inbox(learner, "?limit=1")).items[0].payload).toMatchObject({
      cohortId,
      author: { id: mentor.id, displayName: "Mentor Grace" },
    });
  });

  it("review_comment carries title, author and a 140-code-point excerpt; review_verdict the title and the reviewer", async () => {
    const created = await api(cluster.nodes[0], "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: author.accessToken,
      body: { title: "Binary search", language: "ts", code: "const a = 1;\n", reviewerIds: [reviewer.id] },
    });
    expect(created.status).toBe(201);
    const reviewId = created.body.review.id as string;
    // 150 code points, 100 of them astral (two UTF-16 units each): the excerpt counts code points
    const body = "🙂".repeat(100) + "x".repeat(50);
    const comment = await api(cluster.nodes[0], "POST", `/api/reviews/${reviewId}/comments`, {
      token: reviewer.accessToken,
      body: { body },
    });
    expect(comment.status).toBe(201);
    const [commented] = (await inbox(author, "?order=desc&limit=1")).items;
    expect(commented.type).toBe("review_comment");
    expect(commented.payload).toEqual({
      reviewId,
      cohortId,
      commentId: comment.body.comment.id,
      title: "Binary search",
      author: { id: reviewer.id, displayName: "Reviewer Ada" },
      excerpt: "🙂".repeat(100) + "x".repeat(40),
    });
    const verdict = await api(cluster.nodes[0], "POST", `/api/reviews/${reviewId}/verdict`, {
      token: reviewer.accessToken,
      body: { verdict: "approve" },
    });
    expect(verdict.status).toBe(200);
    const [judged] = (await inbox(author, "?order=desc&limit=1")).items;
    expect(judged).toMatchObject({
      type: "review_verdict",
      payload: {
        reviewId,
        cohortId,
        verdict: "approve",
        status: "approved",
        title: "Binary search",
        reviewer: { id: reviewer.id, displayName: "Reviewer Ada" },
      },
    });
    const requested = (await inbox(reviewer)).items.find((n: { type: string }) => n.type === "review_requested");
    expect(requested.payload).toEqual({ reviewId, cohortId, title: "Binary search" });
  });

  it("order=desc reads an index backwards, never sorting a user's whole inbox (EXPLAIN)", async () => {
    const users = [learner.id, author.id, reviewer.id, mentor.id];
    await sql(
      cluster.dbUrl,
      `INSERT INTO notifications (user_id, type, payload, created_at)
       SELECT ($1::uuid[])[1 + i % 4], 'announcement', '{}'::jsonb, now() - i * interval '1 second'
         FROM generate_series(1, 40000) AS i`,
      [users],
    );
    await sql(cluster.dbUrl, "ANALYZE notifications");
    const [cursor] = await sql<{ id: string }>(
      cluster.dbUrl,
      "SELECT id FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET 5000 LIMIT 1",
      [learner.id],
    );
    // the statement the service runs for ?order=desc (with and without a cursor)
    for (const [where, params] of [
      ["user_id = $1", [learner.id, 51]],
      [
        "user_id = $1 AND (created_at, id) < (SELECT created_at, id FROM notifications WHERE id = $3 AND user_id = $1)",
        [learner.id, 51, cursor.id],
      ],
    ] as const) {
      const plan = (
        await sql<{ "QUERY PLAN": string }>(
          cluster.dbUrl,
          `EXPLAIN SELECT id, user_id, type, payload, created_at, read_at FROM notifications WHERE ${where}
            ORDER BY created_at DESC, id DESC LIMIT $2`,
          [...params],
        )
      )
        .map((r) => r["QUERY PLAN"])
        .join("\n");
      expect(plan).toMatch(/Index Scan Backward using idx_notifications_user_cursor/);
      expect(plan).not.toMatch(/\bSort\b/);
    }
    const page = await inbox(learner, `?order=desc&limit=3&after=${cursor.id}`);
    expect(page.items).toHaveLength(3);
  });
});
