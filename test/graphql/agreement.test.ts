/**
 * The same data through GraphQL and REST: for every object type of the schema, what GraphQL answers equals what
 * the REST route answers (field names and values), for the same caller. And paging with `first`/`after`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Announcement,
  ChatMessage,
  Cohort,
  DocumentAuthor,
  Member,
  Notification,
  Review,
  ReviewComment,
  Reviewer,
  Session,
  User,
} from "../../src/contract/index.js";
import { startCluster, type Cluster } from "../support/clusters.js";
import { api, makeCohort, makeUser, newId, type TestUser } from "../support/rest.js";
import type { Node } from "../support/servers.js";
import { connect, emitOk, type ClientSocket } from "../support/sockets.js";
import { gql, selectionOf, withoutNullEmails } from "./gql.js";

const page = "pageInfo { endCursor hasNextPage }";

describe("GraphQL and REST agree", () => {
  let cluster: Cluster;
  let node: Node;
  let mentor: TestUser;
  let lea: TestUser;
  let sam: TestUser;
  let cohortId: string;
  let sessionId: string;
  let reviewId: string;
  let socket: ClientSocket;
  /** Object types whose every field a test below compared with REST. */
  const covered = new Set<string>(["Query", "PageInfo"]);

  const rest = async (who: TestUser, path: string) => {
    const res = await api(node, "GET", path, { token: who.accessToken });
    expect(res.status, path).toBe(200);
    return res.body;
  };
  const data = async (who: TestUser, query: string, variables?: Record<string, unknown>) => {
    const res = await gql(node, query, { token: who.accessToken, variables });
    expect(res.body.errors).toBeUndefined();
    return res.body.data;
  };

  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0]!;
    mentor = await makeUser(node, "mentor", "Mia Mentor");
    lea = await makeUser(node, "learner", "Lea Learner");
    sam = await makeUser(node, "learner", "Sam Learner");
    cohortId = (await makeCohort(node, mentor, [lea, sam])).id;
    const review = await api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: lea.accessToken,
      body: { title: "Debounce", description: "a hook", language: "ts", code: "a\nb\n", reviewerIds: [sam.id] },
    });
    reviewId = review.body.review.id;
    await api(node, "POST", `/api/reviews/${reviewId}/comments`, { token: sam.accessToken, body: { body: "nice", line: 2 } });
    await api(node, "POST", `/api/reviews/${reviewId}/verdict`, { token: sam.accessToken, body: { verdict: "request_changes" } });
    await api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: sam.accessToken,
      body: { title: "Second", language: "sql", code: "SELECT 1", reviewerIds: [] },
    });
    const session = await api(node, "POST", `/api/cohorts/${cohortId}/sessions`, {
      token: mentor.accessToken,
      body: { title: "Pairing", language: "ts", initialCode: "let x = 1;\n" },
    });
    sessionId = session.body.session.id;
    await api(node, "POST", `/api/sessions/${sessionId}/start`, { token: mentor.accessToken });
    socket = await connect(node, lea.accessToken);
    await emitOk(socket, "session:join", { sessionId });
    for (const body of ["one", "two", "three"]) await emitOk(socket, "chat:send", { sessionId, body, clientId: newId() });
    for (let i = 1; i <= 5; i++) {
      const res = await api(node, "POST", `/api/cohorts/${cohortId}/announcements`, {
        token: mentor.accessToken,
        body: { title: `News ${i}`, body: `Body ${i}` },
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    socket?.close();
    await cluster?.close();
  });

  it("User (me)", async () => {
    const { me } = await data(lea, `{ me ${selectionOf(User)} }`);
    expect(me).toEqual((await rest(lea, "/api/me")).user);
    covered.add("User");
  });

  it("Cohort: cohort(id) and the cohorts connection", async () => {
    const got = await data(
      lea,
      `{ cohort(id: "${cohortId}") ${selectionOf(Cohort)} cohorts { nodes ${selectionOf(Cohort)} ${page} } }`,
    );
    // REST's single cohort adds ownerId (contract v2); GraphQL's Cohort has the list's fields
    const { ownerId: _ownerId, ...single } = (await rest(lea, `/api/cohorts/${cohortId}`)).cohort;
    expect(got.cohort).toEqual(single);
    const list = await rest(lea, "/api/cohorts");
    expect(got.cohorts.nodes).toEqual(list.cohorts);
    expect(got.cohorts.pageInfo.hasNextPage).toBe(list.nextCursor !== null);
    covered.add("Cohort").add("CohortConnection");
  });

  it("Member and UserRef: emails as REST shows them, to a mentor and to a learner", async () => {
    for (const who of [mentor, lea]) {
      const got = await data(who, `{ cohort(id: "${cohortId}") { members { nodes ${selectionOf(Member)} ${page} } } }`);
      const expected = (await rest(who, `/api/cohorts/${cohortId}/members`)).members;
      expect(withoutNullEmails(got.cohort.members.nodes)).toEqual(expected);
    }
    const forMentor = await data(mentor, `{ cohort(id: "${cohortId}") { members { nodes { user { email } } } } }`);
    expect(forMentor.cohort.members.nodes.map((m: { user: { email: string } }) => m.user.email)).toContain(lea.email);
    covered.add("Member").add("UserRef").add("MemberConnection");
  });

  it("Review, Reviewer, ReviewComment, Author: review(id), cohort reviews and a member's reviews", async () => {
    const got = await data(
      lea,
      `{ review(id: "${reviewId}") { ...R reviewers { nodes ${selectionOf(Reviewer)} } comments { nodes ${selectionOf(ReviewComment)} } }
         cohort(id: "${cohortId}") { reviews(status: changes_requested) { nodes { ...R } ${page} }
           members { nodes { user { id } reviews { nodes { ...R } } } } } }
       fragment R on Review ${selectionOf(Review)}`,
    );
    const single = await rest(lea, `/api/reviews/${reviewId}`);
    const { reviewers, comments, ...review } = got.review;
    expect(review).toEqual(single.review);
    expect(reviewers.nodes).toEqual(single.reviewers);
    expect(comments.nodes).toEqual(single.comments);
    expect(got.cohort.reviews.nodes).toEqual(
      (await rest(lea, `/api/cohorts/${cohortId}/reviews?status=changes_requested`)).reviews,
    );
    const all = (await rest(lea, `/api/cohorts/${cohortId}/reviews`)).reviews as { author: { id: string } }[];
    for (const m of got.cohort.members.nodes as { user: { id: string }; reviews: { nodes: unknown[] } }[]) {
      expect(m.reviews.nodes).toEqual(all.filter((r) => r.author.id === m.user.id));
    }
    // reviewers and comments through the loaders (not primed by review(id)) agree too
    const listed = await data(
      lea,
      `{ cohort(id: "${cohortId}") { reviews { nodes { id reviewers { nodes ${selectionOf(Reviewer)} } comments { nodes ${selectionOf(ReviewComment)} } } } } }`,
    );
    const first = listed.cohort.reviews.nodes.find((r: { id: string }) => r.id === reviewId);
    expect({ reviewers: first.reviewers.nodes, comments: first.comments.nodes }).toEqual({
      reviewers: single.reviewers,
      comments: single.comments,
    });
    covered.add("Review").add("Reviewer").add("ReviewComment").add("Author");
    covered.add("ReviewConnection").add("ReviewerConnection").add("ReviewCommentConnection");
  });

  it("Session, Document, ChatMessage: session(id), cohort sessions, document and chat", async () => {
    const got = await data(
      lea,
      `{ session(id: "${sessionId}") { ...S document { text updatedAt } chat { nodes ${selectionOf(ChatMessage)} ${page} } cohort { id } authors { nodes ${selectionOf(DocumentAuthor)} } }
         cohort(id: "${cohortId}") { sessions { nodes { ...S } } } }
       fragment S on Session ${selectionOf(Session)}`,
    );
    const { document, chat, cohort, authors, ...session } = got.session;
    const restAuthors = (await rest(lea, `/api/sessions/${sessionId}/authors`)).authors;
    expect(restAuthors.length).toBeGreaterThan(0);
    expect(authors.nodes).toEqual(restAuthors);
    expect(session).toEqual((await rest(lea, `/api/sessions/${sessionId}`)).session);
    expect(cohort).toEqual({ id: cohortId });
    expect(document).toEqual(await rest(lea, `/api/sessions/${sessionId}/document`));
    expect(chat.nodes).toEqual((await rest(lea, `/api/sessions/${sessionId}/chat`)).messages);
    expect(got.cohort.sessions.nodes).toEqual((await rest(lea, `/api/cohorts/${cohortId}/sessions`)).sessions);
    covered
      .add("Session")
      .add("Document")
      .add("DocumentAuthor")
      .add("DocumentAuthorConnection")
      .add("ChatMessage")
      .add("SessionConnection")
      .add("ChatMessageConnection");
  });

  it("Announcement and Notification", async () => {
    const got = await data(
      lea,
      `{ cohort(id: "${cohortId}") { announcements { nodes ${selectionOf(Announcement)} } }
         notifications { nodes ${selectionOf(Notification)} } }`,
    );
    expect(got.cohort.announcements.nodes).toEqual((await rest(lea, `/api/cohorts/${cohortId}/announcements`)).announcements);
    const items = (await rest(lea, "/api/notifications")).items;
    expect(items.length).toBeGreaterThan(0);
    expect(got.notifications.nodes).toEqual(items);
    covered.add("Announcement").add("Notification").add("AnnouncementConnection").add("NotificationConnection");
  });

  it("pages with first/after as REST pages with limit/after", async () => {
    const base = `/api/cohorts/${cohortId}/announcements`;
    const query = `query($id: ID!, $after: ID) { cohort(id: $id) { announcements(first: 2, after: $after) { nodes { title } ${page} } } }`;
    const titles: string[] = [];
    let after: string | null = null;
    let restAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const got: { nodes: { title: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } = (
        await data(lea, query, { id: cohortId, after })
      ).cohort.announcements;
      const expected = await rest(lea, `${base}?limit=2${restAfter ? `&after=${restAfter}` : ""}`);
      expect(got.nodes).toEqual(expected.announcements.map((a: { title: string }) => ({ title: a.title })));
      expect(got.pageInfo.hasNextPage).toBe(expected.nextCursor !== null);
      titles.push(...got.nodes.map((n: { title: string }) => n.title));
      after = got.pageInfo.endCursor;
      restAfter = expected.nextCursor;
    }
    expect(titles).toEqual(["News 1", "News 2", "News 3", "News 4", "News 5"]);

    // chat and unread notifications page the same way
    const chat = await data(lea, `{ session(id: "${sessionId}") { chat(first: 2) { nodes { body } ${page} } } }`);
    expect(chat.session.chat.nodes).toEqual([{ body: "one" }, { body: "two" }]);
    expect(chat.session.chat.pageInfo.hasNextPage).toBe(true);
    const rest2 = await data(
      lea,
      `{ session(id: "${sessionId}") { chat(first: 2, after: "${chat.session.chat.pageInfo.endCursor}") { nodes { body } ${page} } } }`,
    );
    expect(rest2.session.chat).toEqual({
      nodes: [{ body: "three" }],
      pageInfo: { endCursor: expect.any(String), hasNextPage: false },
    });
    const unread = await data(lea, `{ notifications(first: 3, unread: true) { nodes { id readAt } ${page} } }`);
    expect(unread.notifications.nodes).toHaveLength(3);
    expect(unread.notifications.pageInfo.hasNextPage).toBe(true);
    const lastUnread = unread.notifications.nodes[2].id;
    await api(node, "POST", "/api/notifications/read", { token: lea.accessToken, body: { upTo: lastUnread } });
    const after3 = await data(
      lea,
      `{ notifications(unread: true) { nodes { id } } all: notifications(first: 100) { nodes { id } } }`,
    );
    const restUnread = (await rest(lea, "/api/notifications?unread=true")).items.map((n: { id: string }) => ({ id: n.id }));
    expect(after3.notifications.nodes).toEqual(restUnread);
    expect(after3.all.nodes.length).toBeGreaterThan(restUnread.length);

    // members and sessions (whole lists in REST, paged in memory here) too; an unknown cursor is NOT_FOUND as in REST
    const members = await data(lea, `{ cohort(id: "${cohortId}") { members(first: 2) { nodes { user { id } } ${page} } } }`);
    expect(members.cohort.members.nodes).toHaveLength(2);
    expect(members.cohort.members.pageInfo.hasNextPage).toBe(true);
    const unknown = await gql(node, `{ cohort(id: "${cohortId}") { announcements(after: "${newId()}") { nodes { id } } } }`, {
      token: lea.accessToken,
    });
    expect(unknown.body.errors?.[0]?.extensions.code).toBe("NOT_FOUND");
  });

  it("every object type of the schema was compared above", async () => {
    const res = await gql(node, `{ __schema { types { name kind } } }`, { token: lea.accessToken });
    const objects = res.body.data.__schema.types
      .filter((t: { name: string; kind: string }) => t.kind === "OBJECT" && !t.name.startsWith("__"))
      .map((t: { name: string }) => t.name)
      .sort();
    expect(objects).toEqual([...covered].sort());
  });
});
