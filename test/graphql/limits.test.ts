/**
 * What GraphQL refuses, always with a contract code and never INTERNAL: depth over 10, queries that may return
 * too many list items, alias floods, bad arguments and variables, syntax and schema errors. Introspection and
 * GraphiQL outside production only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { makeCohort, makeUser, type TestUser } from "../support/rest.js";
import type { Node } from "../support/servers.js";
import { gql, outcome } from "./gql.js";

/** `cohort(id) { sessions(first: 1) { nodes { cohort { … } } } }` nested to `depth` fields, ending in `id`. */
function deepQuery(cohortId: string, depth: number): string {
  const chain = ["sessions(first: 1)", "nodes", "cohort"];
  const levels = [`cohort(id: "${cohortId}")`];
  while (levels.length < depth - 1) levels.push(chain[(levels.length - 1) % 3]!);
  return `{ ${levels.reduceRight((inner, field) => `${field} { ${inner} }`, "id")} }`;
}

describe("GraphQL limits and errors", () => {
  let cluster: Cluster;
  let node: Node;
  let production: Node;
  let mentor: TestUser;
  let cohortId: string;

  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0]!;
    // production refuses the tests' cheaper password hashing: the default cost (this node hashes no password)
    production = await cluster.addNode({ NODE_ENV: "production", SCRYPT_LOG_N: "17" });
    mentor = await makeUser(node, "mentor");
    cohortId = (await makeCohort(node, mentor)).id;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const ask = (query: string, variables?: Record<string, unknown>, on: Node = node) =>
    gql(on, query, { token: mentor.accessToken, variables });

  it("accepts depth 10 and refuses depth 11 with INVALID_PAYLOAD", async () => {
    const ten = await ask(deepQuery(cohortId, 10));
    expect(ten.body.errors).toBeUndefined();
    expect(ten.body.data.cohort.sessions).toEqual({ nodes: [] });
    const eleven = await ask(deepQuery(cohortId, 11));
    expect(outcome(eleven)).toBe("INVALID_PAYLOAD");
    expect(eleven.body.errors?.[0]?.message).toMatch(/depth/i);
    expect(eleven.body.data ?? null).toBeNull();
  });

  it("refuses a query that may return too many list items (page sizes multiply; a variable counts as 100)", async () => {
    const nested = (first: string) =>
      `query($n: Int) { cohorts(first: ${first}) { nodes { members(first: 100) { nodes { reviews(first: 100) { nodes { id } } } } } } }`;
    for (const first of ["100", "$n"]) {
      const res = await ask(nested(first), { n: 1 });
      expect(outcome(res)).toBe("INVALID_PAYLOAD");
      expect(res.body.errors?.[0]?.message).toMatch(/too costly/);
    }
    // the same shape with small pages is fine
    const small = await ask(
      `{ cohorts(first: 5) { nodes { members(first: 20) { nodes { reviews(first: 10) { nodes { id } } } } } } }`,
    );
    expect(small.body.errors).toBeUndefined();
  });

  it("refuses alias floods", async () => {
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(" ");
    expect(outcome(await ask(`{ ${aliases} }`))).toBe("INVALID_PAYLOAD");
  });

  it("bad arguments, variables, syntax and unknown fields are INVALID_PAYLOAD, never INTERNAL", async () => {
    const bad = [
      `{ cohorts(first: 0) { nodes { id } } }`,
      `{ cohorts(first: 101) { nodes { id } } }`,
      `{ cohorts(after: "nope") { nodes { id } } }`,
      `{ cohorts(first: "ten") { nodes { id } } }`,
      `{ cohort(id: "${cohortId}") { sessions(since: "last week") { nodes { id } } } }`,
      `{ cohort(id: "${cohortId}") { reviews(status: OPEN) { nodes { id } } } }`,
      `{ notifications(after: "1") { nodes { id } } }`,
      `{ me { id `,
      `{ me { password } }`,
      `{ me }`,
      `mutation { me { id } }`,
      `subscription { me { id } }`,
      `query($id: ID!) { cohort(id: $id) { id } }`,
      ``,
    ];
    for (const query of bad) {
      const res = await ask(query);
      expect({ query, code: outcome(res) }).toEqual({ query, code: "INVALID_PAYLOAD" });
    }
    const wrongVariable = await ask(`query($n: Int) { cohorts(first: $n) { nodes { id } } }`, { n: "many" });
    expect(outcome(wrongVariable)).toBe("INVALID_PAYLOAD");
    const notJson = await fetch(`${node.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/graphql-response+json", authorization: `Bearer ${mentor.accessToken}` },
      body: "{ me { id } ",
    });
    expect(notJson.status).toBeLessThan(500);
  });

  it("answers queries over GET too", async () => {
    const res = await gql(node, `{ me { id } }`, { token: mentor.accessToken, method: "GET" });
    expect(res.body).toEqual({ data: { me: { id: mentor.id } } });
  });

  it("introspection and GraphiQL outside production only", async () => {
    const introspection = `{ __schema { queryType { name } } }`;
    expect((await ask(introspection)).body.data).toEqual({ __schema: { queryType: { name: "Query" } } });
    const page = await fetch(`${node.url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("GraphiQL");

    const refused = await ask(introspection, undefined, production);
    expect(outcome(refused)).toBe("INVALID_PAYLOAD");
    const noPage = await fetch(`${production.url}/graphql`, { headers: { accept: "text/html" } });
    expect(noPage.headers.get("content-type") ?? "").not.toMatch(/text\/html/);
    await noPage.body?.cancel();
    // no "did you mean …?" that would spell out the schema
    const typo = await ask(`{ mee { id } }`, undefined, production);
    expect(outcome(typo)).toBe("INVALID_PAYLOAD");
    expect(typo.body.errors?.[0]?.message).not.toMatch(/did you mean/i);
    // the data itself is served as everywhere
    expect((await ask(`{ me { id } }`, undefined, production)).body.data).toEqual({ me: { id: mentor.id } });
  });
});
