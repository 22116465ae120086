/**
 * The authorization matrix over GraphQL: for each actor and each field, GraphQL answers what the REST route
 * answers (one authorization path), and what the contract says.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { adminOf, api, makeCohort, makeUser, newId, type TestUser } from "../support/rest.js";
import type { Node } from "../support/servers.js";
import { gql, outcome, restOutcome } from "./gql.js";

type Actor = "admin" | "mentor" | "learner" | "outsider" | "removed" | "anonymous";
const ACTORS: Actor[] = ["admin", "mentor", "learner", "outsider", "removed", "anonymous"];
/** A cohort's resources: its members, admins (as mentors of every cohort) and nobody else. */
const COHORT_READERS: Record<Actor, string> = {
  admin: "ok",
  mentor: "ok",
  learner: "ok",
  outsider: "FORBIDDEN",
  removed: "FORBIDDEN",
  anonymous: "UNAUTHORIZED",
};
/** The caller's own data: anyone logged in. */
const ANY_USER: Record<Actor, string> = {
  admin: "ok",
  mentor: "ok",
  learner: "ok",
  outsider: "ok",
  removed: "ok",
  anonymous: "UNAUTHORIZED",
};

describe("GraphQL authorization matrix", () => {
  let cluster: Cluster;
  let node: Node;
  let users: Record<Exclude<Actor, "anonymous">, TestUser>;
  let cohortId: string;
  let sessionId: string;
  let reviewId: string;

  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0]!;
    const admin = await adminOf(node);
    const mentor = await makeUser(node, "mentor", "Mentor");
    const learner = await makeUser(node, "learner", "Learner");
    const outsider = await makeUser(node, "learner", "Outsider");
    const removed = await makeUser(node, "learner", "Removed");
    const otherMentor = await makeUser(node, "mentor", "Other mentor");
    users = { admin, mentor, learner, outsider, removed };
    cohortId = (await makeCohort(node, mentor, [learner, removed])).id;
    await makeCohort(node, otherMentor, [outsider]);
    const review = await api(node, "POST", `/api/cohorts/${cohortId}/reviews`, {
      token: removed.accessToken,
      body: { title: "Mine", language: "ts", code: "x", reviewerIds: [learner.id] },
    });
    reviewId = review.body.review.id;
    const session = await api(node, "POST", `/api/cohorts/${cohortId}/sessions`, {
      token: mentor.accessToken,
      body: { title: "S", language: "ts" },
    });
    sessionId = session.body.session.id;
    const gone = await api(node, "DELETE", `/api/cohorts/${cohortId}/members/${removed.id}`, { token: mentor.accessToken });
    expect(gone.status).toBe(204);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const token = (who: Actor) => (who === "anonymous" ? undefined : users[who].accessToken);

  /** Runs the GraphQL query and the REST route for every actor; both must give `expected`. */
  async function matrix(expected: Record<Actor, string>, query: () => string, restPath: () => string) {
    const got: Record<string, string> = {};
    const viaRest: Record<string, string> = {};
    for (const who of ACTORS) {
      const res = await gql(node, query(), { token: token(who) });
      got[who] = outcome(res);
      if (got[who] !== "ok") expect(res.body.errors?.every((e) => e.extensions.code === got[who])).toBe(true);
      else expect(res.body.data).not.toBeNull();
      viaRest[who] = restOutcome((await api(node, "GET", restPath(), { token: token(who) })).status);
    }
    expect(got).toEqual(expected);
    expect(viaRest).toEqual(expected);
  }

  it("cohort(id)", () =>
    matrix(
      COHORT_READERS,
      () => `{ cohort(id: "${cohortId}") { id name } }`,
      () => `/api/cohorts/${cohortId}`,
    ));

  it("cohort.members (with their reviews)", () =>
    matrix(
      COHORT_READERS,
      () => `{ cohort(id: "${cohortId}") { members { nodes { user { id } reviews { nodes { id } } } } } }`,
      () => `/api/cohorts/${cohortId}/members`,
    ));

  it("cohort.sessions", () =>
    matrix(
      COHORT_READERS,
      () => `{ cohort(id: "${cohortId}") { sessions { nodes { id } } } }`,
      () => `/api/cohorts/${cohortId}/sessions`,
    ));

  it("cohort.reviews (with reviewers and comments)", () =>
    matrix(
      COHORT_READERS,
      () =>
        `{ cohort(id: "${cohortId}") { reviews { nodes { id reviewers { nodes { verdict } } comments { nodes { id } } } } } }`,
      () => `/api/cohorts/${cohortId}/reviews`,
    ));

  it("cohort.announcements", () =>
    matrix(
      COHORT_READERS,
      () => `{ cohort(id: "${cohortId}") { announcements { nodes { id } } } }`,
      () => `/api/cohorts/${cohortId}/announcements`,
    ));

  it("session(id), its document and chat", async () => {
    await matrix(
      COHORT_READERS,
      () => `{ session(id: "${sessionId}") { id cohort { id } } }`,
      () => `/api/sessions/${sessionId}`,
    );
    await matrix(
      COHORT_READERS,
      () => `{ session(id: "${sessionId}") { document { text } } }`,
      () => `/api/sessions/${sessionId}/document`,
    );
    await matrix(
      COHORT_READERS,
      () => `{ session(id: "${sessionId}") { chat { nodes { id } } } }`,
      () => `/api/sessions/${sessionId}/chat`,
    );
  });

  it("review(id) with reviewers and comments (its author was removed from the cohort: no access left)", () =>
    matrix(
      COHORT_READERS,
      () => `{ review(id: "${reviewId}") { id reviewers { nodes { user { id } } } comments { nodes { id } } } }`,
      () => `/api/reviews/${reviewId}`,
    ));

  it("me, cohorts and notifications: the caller's own", async () => {
    await matrix(
      ANY_USER,
      () => `{ me { id } }`,
      () => "/api/me",
    );
    await matrix(
      ANY_USER,
      () => `{ cohorts { nodes { id } } }`,
      () => "/api/cohorts",
    );
    await matrix(
      ANY_USER,
      () => `{ notifications { nodes { id } } }`,
      () => "/api/notifications",
    );
  });

  it("a cohort's members show emails to its mentors and admins only", async () => {
    const emails = async (who: Actor) => {
      const res = await gql(node, `{ cohort(id: "${cohortId}") { members { nodes { user { email } } } } }`, {
        token: token(who),
      });
      return res.body.data.cohort.members.nodes.map((m: { user: { email: string | null } }) => m.user.email);
    };
    expect(await emails("mentor")).toContain(users.learner.email);
    expect(await emails("admin")).toContain(users.learner.email);
    expect((await emails("learner")).every((e: string | null) => e === null)).toBe(true);
  });

  it("unknown ids are NOT_FOUND and malformed ids INVALID_PAYLOAD, for every root field", async () => {
    for (const field of ["cohort", "session", "review"]) {
      const unknown = await gql(node, `{ ${field}(id: "${newId()}") { id } }`, { token: token("admin") });
      expect(outcome(unknown)).toBe("NOT_FOUND");
      expect(unknown.body.data).toEqual({ [field]: null });
      const malformed = await gql(node, `{ ${field}(id: "not-a-uuid") { id } }`, { token: token("learner") });
      expect(outcome(malformed)).toBe("INVALID_PAYLOAD");
    }
  });

  it("a forged or expired token is UNAUTHORIZED, on GET as on POST", async () => {
    for (const method of ["GET", "POST"] as const) {
      const forged = await gql(node, "{ me { id } }", { token: `${token("learner")}x`, method });
      expect(outcome(forged)).toBe("UNAUTHORIZED");
    }
  });
});
