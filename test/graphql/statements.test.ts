/**
 * No N+1: a cohort's members with their reviews, each review's reviewers and comments, cost the same number of SQL
 * statements for 30 members as for 3. The built server runs with a preload that prints a line for every statement
 * it sends through the `pg` driver; the test counts those lines per request.
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProcessCluster, type Cluster } from "../support/clusters.js";
import type { ProcessNode } from "../support/processes.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { sleep } from "../support/time.js";
import { gql, type GqlResponse } from "./gql.js";

const PRELOAD = fileURLToPath(new URL("./count-statements.mjs", import.meta.url));
const MARK = '"msg":"sql statement"';
/** pg-boss polls its queues on its own timers (more than once a second when idle): not the request's statements. */
const JOB_QUEUE = "pgboss.";

const DASHBOARD = `query($id: ID!) {
  cohort(id: $id) {
    name
    members(first: 50) {
      nodes {
        user { id displayName }
        reviews(status: open, first: 5) {
          nodes { id title reviewers(first: 5) { nodes { user { id } verdict } } comments(first: 5) { nodes { body } } }
        }
      }
    }
  }
}`;

describe("GraphQL statements per query", () => {
  let cluster: Cluster<ProcessNode>;
  let node: ProcessNode;
  let mentor: TestUser;

  beforeAll(async () => {
    // a process: the statement counter is preloaded into it (NODE_OPTIONS)
    cluster = await startProcessCluster(1, { redis: false, env: { NODE_OPTIONS: `--import=${PRELOAD}` } });
    node = cluster.nodes[0]!;
    mentor = await makeUser(node, "mentor");
  });
  afterAll(async () => {
    await cluster?.close();
  });

  /**
   * The statements the server sent while `run` ran, but the job queue's (its output lines arrive through a pipe:
   * wait for them).
   */
  async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
    const marks = () => node.logs.filter((line) => line.includes(MARK));
    const before = marks().length;
    await run();
    await sleep(300);
    return marks()
      .slice(before)
      .filter((line) => !line.includes(JOB_QUEUE));
  }

  /** A cohort of `n` learners, each the author of one open review with the next learner as reviewer and a comment. */
  async function cohortOf(n: number): Promise<string> {
    const learners: TestUser[] = [];
    for (let i = 0; i < n; i++) learners.push(await makeUser(node, "learner"));
    const { id } = await makeCohort(node, mentor, learners);
    for (const [i, author] of learners.entries()) {
      const reviewer = learners[(i + 1) % n]!;
      const created = await api(node, "POST", `/api/cohorts/${id}/reviews`, {
        token: author.accessToken,
        body: { title: `Review ${i}`, language: "ts", code: "x", reviewerIds: n > 1 ? [reviewer.id] : [] },
      });
      expect(created.status).toBe(201);
      await api(node, "POST", `/api/reviews/${created.body.review.id}/comments`, {
        token: mentor.accessToken,
        body: { body: "hi" },
      });
    }
    return id;
  }

  /** The fewest statements of three runs (another background job may add one to a run). */
  async function dashboardStatements(cohortId: string, members: number) {
    let best: string[] | null = null;
    for (let i = 0; i < 3; i++) {
      let res: GqlResponse | undefined;
      const counted = await statementsOf(async () => {
        res = await gql(node, DASHBOARD, { token: mentor.accessToken, variables: { id: cohortId } });
      });
      expect(res?.body.errors).toBeUndefined();
      const nodes = res?.body.data.cohort.members.nodes as { reviews: { nodes: { reviewers: { nodes: unknown[] } }[] } }[];
      expect(nodes).toHaveLength(members + 1);
      expect(nodes.filter((m) => m.reviews.nodes.length === 1)).toHaveLength(members);
      if (best === null || counted.length < best.length) best = counted;
    }
    return best!;
  }

  it("a cohort of 30 members costs the statements of a cohort of 3", async () => {
    const small = await dashboardStatements(await cohortOf(3), 3);
    const large = await dashboardStatements(await cohortOf(30), 30);
    expect(small.length).toBeGreaterThan(0);
    expect(large.length, large.join("\n")).toBe(small.length);
    expect(large.length).toBeLessThanOrEqual(10);
  }, 240_000);
});
