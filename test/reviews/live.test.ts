import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import type { NotificationDto as Notification } from "../support/contract.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";
import { type ClientSocket, connect, emitAck, nextEvent, record } from "../support/sockets.js";
import { eventually } from "../support/time.js";

/** Two nodes on one database and Redis: live comments and statuses across nodes, and who gets notified. */
describe("peer reviews across nodes", () => {
  let cluster: Cluster;
  let n0: Node, n1: Node;
  let mentor: TestUser, author: TestUser, r1: TestUser, r2: TestUser, other: TestUser;
  let cohortId: string;
  const sockets: ClientSocket[] = [];
  const open = async (node: Node, user: TestUser) => {
    const s = await connect(node, user.accessToken);
    sockets.push(s);
    return s;
  };
  const create = async (node: Node = n0) => {
    const res = await api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: author.accessToken,
      body: { title: "Parser", language: "rust", code: "fn main() {\n}\n", reviewerIds: [r1.id, r2.id] },
    });
    expect(res.status).toBe(201);
    return res.body.review.id as string;
  };
  const inbox = async (node: Node, user: TestUser, reviewId: string): Promise<Notification[]> =>
    ((await api(node, "GET", "/api/notifications?limit=100", { token: user.accessToken })).body.items as Notification[]).filter(
      (n) => n.payload.reviewId === reviewId,
    );

  beforeAll(async () => {
    cluster = await startCluster(2);
    [n0, n1] = cluster.nodes;
    mentor = await makeUser(n0, "mentor");
    [author, r1, r2, other] = await Promise.all([1, 2, 3, 4].map(() => makeUser(n0)));
    cohortId = (await makeCohort(n0, mentor, [author, r1, r2, other])).id;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  it("a comment posted on one node reaches subscribers on both nodes; statuses too", async () => {
    const id = await create();
    const authorSocket = await open(n0, author);
    const otherSocket = await open(n1, other);
    for (const s of [authorSocket, otherSocket])
      expect(await emitAck(s, "review:subscribe", { reviewId: id })).toEqual({ ok: true });

    const onAuthor = nextEvent(authorSocket, "review:comment");
    const onOther = nextEvent(otherSocket, "review:comment");
    const posted = await api(n1, "POST", `/api/reviews/${id}/comments`, {
      token: r1.accessToken,
      body: { body: "unused import", line: 1 },
    });
    expect(posted.status).toBe(201);
    const expected = { reviewId: id, comment: posted.body.comment };
    expect(posted.body.comment).toMatchObject({
      reviewId: id,
      author: { id: r1.id, displayName: r1.displayName },
      body: "unused import",
      line: 1,
      revision: 1,
    });
    expect(await onAuthor).toEqual(expected);
    expect(await onOther).toEqual(expected);

    const statusOnN1 = nextEvent(otherSocket, "review:status");
    const statusOnN0 = nextEvent(authorSocket, "review:status");
    await api(n0, "POST", `/api/reviews/${id}/verdict`, { token: r2.accessToken, body: { verdict: "request_changes" } });
    expect(await statusOnN1).toEqual({ reviewId: id, status: "changes_requested" });
    expect(await statusOnN0).toEqual({ reviewId: id, status: "changes_requested" });

    // after unsubscribing, nothing more arrives (checked after the still-subscribed socket got the next comment)
    const stopped = record(otherSocket, "review:comment");
    expect(await emitAck(otherSocket, "review:unsubscribe", { reviewId: id })).toEqual({ ok: true });
    const next = nextEvent(authorSocket, "review:comment");
    await api(n0, "POST", `/api/reviews/${id}/comments`, { token: mentor.accessToken, body: { body: "agreed" } });
    await next;
    await emitAck(otherSocket, "review:subscribe", { reviewId: id });
    expect(stopped).toEqual([]);
  });

  it("review_comment goes to the author, the reviewers and earlier commenters — never to the commenter", async () => {
    const id = await create();
    // live: the author (n0) and r2 (n1) get the notification event
    const authorSocket = await open(n0, author);
    const r2Socket = await open(n1, r2);
    const liveAuthor = nextEvent(authorSocket, "notification", (n) => n.type === "review_comment" && n.payload.reviewId === id);
    const liveR2 = nextEvent(r2Socket, "notification", (n) => n.type === "review_comment" && n.payload.reviewId === id);

    // the mentor comments first: author, r1, r2 are told; the mentor is not
    const first = await api(n1, "POST", `/api/reviews/${id}/comments`, {
      token: mentor.accessToken,
      body: { body: "please add tests" },
    });
    const firstId = first.body.comment.id;
    // v2 payload: the review's title, the commenter and the comment's first 140 characters
    const commented = {
      reviewId: id,
      cohortId,
      commentId: firstId,
      title: "Parser",
      author: { id: mentor.id, displayName: mentor.displayName },
      excerpt: "please add tests",
    };
    expect((await liveAuthor).payload).toEqual(commented);
    expect((await liveR2).payload).toEqual(commented);

    // then r1: the author, r2 and the earlier commenter (mentor) are told; r1 is not
    const second = await api(n0, "POST", `/api/reviews/${id}/comments`, { token: r1.accessToken, body: { body: "+1", line: 2 } });
    const secondId = second.body.comment.id;

    const commentIds = async (u: TestUser) =>
      (await inbox(n1, u, id)).filter((n) => n.type === "review_comment").map((n) => n.payload.commentId);
    expect(await commentIds(author)).toEqual([firstId, secondId]);
    expect(await commentIds(r2)).toEqual([firstId, secondId]);
    expect(await commentIds(r1)).toEqual([firstId]);
    expect(await commentIds(mentor)).toEqual([secondId]);
    expect(await commentIds(other)).toEqual([]);

    // the author comments: reviewers and both earlier commenters, not the author
    const third = await api(n1, "POST", `/api/reviews/${id}/comments`, { token: author.accessToken, body: { body: "done" } });
    const thirdId = third.body.comment.id;
    expect(await commentIds(author)).toEqual([firstId, secondId]);
    for (const u of [r1, r2, mentor]) expect((await commentIds(u)).at(-1)).toBe(thirdId);
    expect(await commentIds(other)).toEqual([]);
  });

  it("review_requested to the reviewers, review_verdict to the author, live on any node", async () => {
    const r1Socket = await open(n1, r1);
    const requested = nextEvent(r1Socket, "notification", (n) => n.type === "review_requested");
    const id = await create(n0);
    expect((await requested).payload).toEqual({ reviewId: id, cohortId, title: "Parser" });
    expect((await inbox(n0, r2, id)).map((n) => n.type)).toEqual(["review_requested"]);
    expect(await inbox(n0, author, id)).toEqual([]);
    expect(await inbox(n0, other, id)).toEqual([]);

    const authorSocket = await open(n1, author);
    const told = nextEvent(authorSocket, "notification", (n) => n.type === "review_verdict" && n.payload.reviewId === id);
    await api(n0, "POST", `/api/reviews/${id}/verdict`, { token: r1.accessToken, body: { verdict: "approve" } });
    expect((await told).payload).toEqual({
      reviewId: id,
      cohortId,
      verdict: "approve",
      status: "open",
      title: "Parser",
      reviewer: { id: r1.id, displayName: r1.displayName },
    });
    expect((await inbox(n0, r2, id)).map((n) => n.type)).toEqual(["review_requested"]);
  });

  it("a member removed from the cohort leaves the review room on every node", async () => {
    const id = await create();
    const leaver = await makeUser(n0);
    await api(n0, "POST", `/api/cohorts/${cohortId}/members`, {
      token: mentor.accessToken,
      body: { userId: leaver.id, role: "learner" },
    });
    const leaverSocket = await open(n1, leaver);
    const stayer = await open(n1, other);
    expect(await emitAck(leaverSocket, "review:subscribe", { reviewId: id })).toEqual({ ok: true });
    expect(await emitAck(stayer, "review:subscribe", { reviewId: id })).toEqual({ ok: true });
    const leaverSeen = record(leaverSocket, "review:comment");

    expect((await api(n0, "DELETE", `/api/cohorts/${cohortId}/members/${leaver.id}`, { token: mentor.accessToken })).status).toBe(
      204,
    );
    await eventually(async () => (await emitAck(leaverSocket, "review:subscribe", { reviewId: id })).error?.code === "FORBIDDEN");

    const arrived = nextEvent(stayer, "review:comment");
    await api(n0, "POST", `/api/reviews/${id}/comments`, { token: r1.accessToken, body: { body: "after removal" } });
    await arrived;
    await emitAck(leaverSocket, "review:unsubscribe", { reviewId: id });
    expect(leaverSeen).toEqual([]);
    expect((await api(n1, "GET", `/api/reviews/${id}`, { token: leaver.accessToken })).status).toBe(403);
  });
});
