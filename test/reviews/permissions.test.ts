import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { adminOf, api, makeCohort, makeUser, newId, type TestUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";
import { type ClientSocket, connect, emitAck, emitRaw } from "../support/sockets.js";

/** Who may do what on a review: author, assigned reviewer, other learner, cohort mentor, non-member (and admin). */
describe("peer review permissions", () => {
  let cluster: Cluster;
  let node: Node;
  let mentor: TestUser,
    author: TestUser,
    reviewer: TestUser,
    reviewer2: TestUser,
    other: TestUser,
    outsider: TestUser,
    admin: TestUser;
  let cohortId: string;
  let who: Record<"author" | "reviewer" | "other" | "mentor" | "nonMember", TestUser>;
  const sockets: ClientSocket[] = [];

  const newReview = async (as: TestUser = author, extra: Record<string, unknown> = {}) => {
    const res = await api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: as.accessToken,
      body: {
        title: "Sorting",
        language: "ts",
        code: "const a = 1;\nconst b = 2;\n",
        reviewerIds: [reviewer.id, reviewer2.id],
        ...extra,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.review.id as string;
  };

  /** Runs one request as every role and returns the statuses. */
  async function matrix(method: string, path: (role: keyof typeof who) => string, body?: (role: keyof typeof who) => unknown) {
    const out: Record<string, number> = {};
    for (const role of Object.keys(who) as (keyof typeof who)[]) {
      const res = await api(node, method, path(role), { token: who[role].accessToken, body: body?.(role) });
      out[role] = res.status;
    }
    return out;
  }

  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0];
    mentor = await makeUser(node, "mentor");
    [author, reviewer, reviewer2, other, outsider] = await Promise.all([1, 2, 3, 4, 5].map(() => makeUser(node)));
    admin = await adminOf(node);
    cohortId = (await makeCohort(node, mentor, [author, reviewer, reviewer2, other])).id;
    who = { author, reviewer, other, mentor, nonMember: outsider };
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  it("POST /cohorts/:id/reviews: any member creates (201); a non-member gets 403", async () => {
    const statuses = await matrix(
      "POST",
      () => `/api/cohorts/${cohortId}/reviews`,
      () => ({ title: "t", language: "js", code: "x" }),
    );
    expect(statuses).toEqual({ author: 201, reviewer: 201, other: 201, mentor: 201, nonMember: 403 });
  });

  it("GET /reviews/:id and GET /cohorts/:id/reviews: any member (200), a non-member 403, an admin 200", async () => {
    const id = await newReview();
    expect(await matrix("GET", () => `/api/reviews/${id}`)).toEqual({
      author: 200,
      reviewer: 200,
      other: 200,
      mentor: 200,
      nonMember: 403,
    });
    expect(await matrix("GET", () => `/api/cohorts/${cohortId}/reviews`)).toEqual({
      author: 200,
      reviewer: 200,
      other: 200,
      mentor: 200,
      nonMember: 403,
    });
    expect((await api(node, "GET", `/api/reviews/${id}`, { token: admin.accessToken })).status).toBe(200);
    const got = await api(node, "GET", `/api/reviews/${id}`, { token: other.accessToken });
    expect(got.body.review).toMatchObject({
      id,
      cohortId,
      author: { id: author.id, displayName: author.displayName },
      code: "const a = 1;\nconst b = 2;\n",
    });
    expect(got.body.comments).toEqual([]);
  });

  it("POST /reviews/:id/comments: author, assigned reviewer, cohort mentor and admin (201); other learner and non-member 403", async () => {
    const id = await newReview();
    expect(
      await matrix(
        "POST",
        () => `/api/reviews/${id}/comments`,
        () => ({ body: "looks fine", line: 1 }),
      ),
    ).toEqual({
      author: 201,
      reviewer: 201,
      other: 403,
      mentor: 201,
      nonMember: 403,
    });
    const res = await api(node, "POST", `/api/reviews/${id}/comments`, {
      token: admin.accessToken,
      body: { body: "admin here" },
    });
    expect(res.status).toBe(201);
    expect(res.body.comment).toMatchObject({
      reviewId: id,
      author: { id: admin.id },
      body: "admin here",
      line: null,
      revision: 1,
    });
  });

  it("POST /reviews/:id/verdict: only an assigned reviewer (200)", async () => {
    const id = await newReview();
    expect(
      await matrix(
        "POST",
        () => `/api/reviews/${id}/verdict`,
        () => ({ verdict: "approve" }),
      ),
    ).toEqual({
      author: 403,
      reviewer: 200,
      other: 403,
      mentor: 403,
      nonMember: 403,
    });
    expect(
      (await api(node, "POST", `/api/reviews/${id}/verdict`, { token: admin.accessToken, body: { verdict: "approve" } })).status,
    ).toBe(403);
  });

  it("POST /reviews/:id/revisions: only the author (200, after changes were requested)", async () => {
    const id = await newReview();
    const v = await api(node, "POST", `/api/reviews/${id}/verdict`, {
      token: reviewer.accessToken,
      body: { verdict: "request_changes" },
    });
    expect(v.body.review.status).toBe("changes_requested");
    const order = ["reviewer", "other", "mentor", "nonMember", "author"] as const;
    const statuses: Record<string, number> = {};
    for (const role of order) {
      statuses[role] = (
        await api(node, "POST", `/api/reviews/${id}/revisions`, { token: who[role].accessToken, body: { code: "fixed" } })
      ).status;
    }
    expect(statuses).toEqual({ reviewer: 403, other: 403, mentor: 403, nonMember: 403, author: 200 });
  });

  it("POST /reviews/:id/close: the author or a cohort mentor (200); others 403", async () => {
    const id = await newReview();
    const statuses: Record<string, number> = {};
    for (const role of ["reviewer", "other", "nonMember", "mentor"] as const) {
      statuses[role] = (await api(node, "POST", `/api/reviews/${id}/close`, { token: who[role].accessToken })).status;
    }
    expect(statuses).toEqual({ reviewer: 403, other: 403, nonMember: 403, mentor: 200 });
    const byAuthor = await api(node, "POST", `/api/reviews/${await newReview()}/close`, { token: author.accessToken });
    expect(byAuthor.status).toBe(200);
    expect(byAuthor.body.review.status).toBe("closed");
    const byAdmin = await api(node, "POST", `/api/reviews/${await newReview()}/close`, { token: admin.accessToken });
    expect(byAdmin.status).toBe(200);
  });

  it("review:subscribe / review:unsubscribe: any member ok; a non-member FORBIDDEN", async () => {
    const id = await newReview();
    for (const role of Object.keys(who) as (keyof typeof who)[]) {
      const socket = await connect(node, who[role].accessToken);
      sockets.push(socket);
      const sub = await emitAck(socket, "review:subscribe", { reviewId: id });
      const unsub = await emitAck(socket, "review:unsubscribe", { reviewId: id });
      if (role === "nonMember") {
        expect(sub).toEqual({ ok: false, error: { code: "FORBIDDEN", message: expect.any(String) } });
        expect(unsub.error?.code).toBe("FORBIDDEN");
      } else {
        expect(sub, role).toEqual({ ok: true });
        expect(unsub, role).toEqual({ ok: true });
      }
    }
  });

  it("unknown ids are 404, malformed ids 400, on every route and event; no token 401", async () => {
    const unknown = newId();
    const routes: [string, string, unknown?][] = [
      ["GET", `/api/reviews/:id`],
      ["POST", `/api/reviews/:id/comments`, { body: "x" }],
      ["POST", `/api/reviews/:id/verdict`, { verdict: "approve" }],
      ["POST", `/api/reviews/:id/revisions`, { code: "x" }],
      ["POST", `/api/reviews/:id/close`],
      ["GET", `/api/cohorts/:id/reviews`],
      ["POST", `/api/cohorts/:id/reviews`, { title: "t", language: "js", code: "x" }],
    ];
    for (const [method, path, body] of routes) {
      const notFound = await api(node, method, path.replace(":id", unknown), { token: mentor.accessToken, body });
      expect([path, notFound.status, notFound.body.error?.code]).toEqual([path, 404, "NOT_FOUND"]);
      const adminNotFound = await api(node, method, path.replace(":id", unknown), { token: admin.accessToken, body });
      expect([path, adminNotFound.status]).toEqual([path, 404]);
      const malformed = await api(node, method, path.replace(":id", "not-a-uuid"), { token: mentor.accessToken, body });
      expect([path, malformed.status, malformed.body.error?.code]).toEqual([path, 400, "INVALID_PAYLOAD"]);
      const anonymous = await api(node, method, path.replace(":id", unknown), { body });
      expect([path, anonymous.status]).toEqual([path, 401]);
    }
    const socket = await connect(node, mentor.accessToken);
    sockets.push(socket);
    for (const event of ["review:subscribe", "review:unsubscribe"] as const) {
      expect((await emitAck(socket, event, { reviewId: unknown })).error?.code).toBe("NOT_FOUND");
      expect((await emitAck(socket, event, { reviewId: "nope" })).error?.code).toBe("INVALID_PAYLOAD");
      expect((await emitRaw(socket, event, {})).error?.code).toBe("INVALID_PAYLOAD");
    }
  });
});
