import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedInProcess } from "../support/in-process.js";
import { api, makeCohort, makeUser } from "../support/rest.js";
import { type ClientSocket, connect, emitAck, nextEvent } from "../support/sockets.js";

/** The same review flow on the embedded database (PGlite, one serialised session, no Redis). */
describe("peer reviews on the embedded database", () => {
  let node: Awaited<ReturnType<typeof startEmbeddedInProcess>>;
  let socket: ClientSocket | undefined;

  beforeAll(async () => {
    node = await startEmbeddedInProcess();
  });
  afterAll(async () => {
    socket?.close();
    await node?.close();
  });

  it("assigns, comments, rules and revises", async () => {
    const mentor = await makeUser(node, "mentor");
    const [author, a, b, c] = await Promise.all([1, 2, 3, 4].map(() => makeUser(node)));
    const cohort = await makeCohort(node, mentor, [author, a, b, c]);
    const created = await Promise.all(
      Array.from({ length: 6 }, () =>
        api(node, "POST", `/api/cohorts/${cohort.id}/reviews`, {
          token: author.accessToken,
          body: { title: "t", language: "c", code: "int x;\n" },
        }),
      ),
    );
    const load = new Map([a, b, c].map((u) => [u.id, 0]));
    for (const res of created) {
      expect(res.status).toBe(201);
      for (const r of res.body.reviewers) load.set(r.user.id, (load.get(r.user.id) ?? 0) + 1);
    }
    expect([...load.values()]).toEqual([4, 4, 4]);

    const id = created[0].body.review.id;
    const [first, second] = created[0].body.reviewers.map((r: { user: { id: string } }) =>
      [a, b, c].find((u) => u.id === r.user.id)!,
    );
    socket = await connect(node, author.accessToken);
    expect(await emitAck(socket, "review:subscribe", { reviewId: id })).toEqual({ ok: true });
    const live = nextEvent(socket, "review:comment");
    const posted = await api(node, "POST", `/api/reviews/${id}/comments`, {
      token: first.accessToken,
      body: { body: "x?", line: 1 },
    });
    expect(posted.status).toBe(201);
    expect((await live).comment.id).toBe(posted.body.comment.id);

    expect(
      (await api(node, "POST", `/api/reviews/${id}/verdict`, { token: first.accessToken, body: { verdict: "request_changes" } }))
        .body.review.status,
    ).toBe("changes_requested");
    const revised = await api(node, "POST", `/api/reviews/${id}/revisions`, {
      token: author.accessToken,
      body: { code: "int x = 0;\n" },
    });
    expect(revised.body.review).toMatchObject({ revision: 2, status: "open" });
    await api(node, "POST", `/api/reviews/${id}/verdict`, { token: first.accessToken, body: { verdict: "approve" } });
    const approved = await api(node, "POST", `/api/reviews/${id}/verdict`, {
      token: second.accessToken,
      body: { verdict: "approve" },
    });
    expect(approved.body.review.status).toBe("approved");
    expect((await api(node, "POST", `/api/reviews/${id}/close`, { token: mentor.accessToken })).body.review.status).toBe(
      "closed",
    );
    const got = await api(node, "GET", `/api/reviews/${id}`, { token: c.accessToken });
    expect(got.body.comments).toHaveLength(1);
    const notes = await api(node, "GET", "/api/notifications", { token: author.accessToken });
    expect(notes.body.items.map((n: { type: string }) => n.type)).toEqual([
      "review_comment",
      "review_verdict",
      "review_verdict",
      "review_verdict",
    ]);
  });
});
