import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { startNode } from "../support/processes.js";
import { api, makeCohort, makeUser, newId, type TestUser } from "../support/rest.js";
import { JWT_SECRET } from "../support/servers.js";
import { SseClient } from "./sse-client.js";

describe("GET /api/notifications/stream (server-sent events)", () => {
  let cluster: Cluster;
  let mentor: TestUser;
  let learner: TestUser;
  let cohortId: string;
  const open: SseClient[] = [];
  const stream = async (nodeIndex: number, opts: { token?: string; query?: string; headers?: Record<string, string> } = {}) => {
    const headers = { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers };
    const client = await SseClient.open(`${cluster.nodes[nodeIndex].url}/api/notifications/stream${opts.query ?? ""}`, headers);
    open.push(client);
    return client;
  };
  const announce = (title: string) =>
    api(cluster.nodes[0], "POST", `/api/cohorts/${cohortId}/announcements`, {
      token: mentor.accessToken,
      body: { title, body: "b" },
    });

  beforeAll(async () => {
    cluster = await startCluster(2);
    mentor = await makeUser(cluster.nodes[0], "mentor");
    learner = await makeUser(cluster.nodes[0], "learner");
    cohortId = (await makeCohort(cluster.nodes[0], mentor, [learner])).id;
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await cluster?.close();
  });

  it("refuses a missing or bad token (401), a malformed Last-Event-ID (400) and an unknown one (404), as JSON", async () => {
    expect((await stream(0)).status).toBe(401);
    expect((await stream(0, { query: "?access_token=nope" })).status).toBe(401);
    const bad = await stream(0, { token: learner.accessToken, headers: { "last-event-id": "not-an-id" } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.errorBody).error.code).toBe("INVALID_PAYLOAD");
    const unknown = await stream(0, { token: learner.accessToken, query: `?after=${newId()}` });
    expect(unknown.status).toBe(404);
  });

  it("sends each new notification (from any node) as id / event: notification / data; ?access_token= works and is not logged", async () => {
    const client = await stream(1, { query: `?access_token=${learner.accessToken}` });
    expect(client.status).toBe(200);
    expect(client.contentType).toMatch(/^text\/event-stream/);
    await announce("Hello stream");
    await client.until(() => client.notifications().length === 1);
    const [event] = client.events.filter((e) => e.event === "notification");
    const [n] = client.notifications();
    expect(event.id).toBe(n.id);
    expect(n).toMatchObject({ type: "announcement", readAt: null, payload: { cohortId, title: "Hello stream" } });
    client.close();
    for (const node of cluster.nodes) expect(node.logs.join("\n")).not.toContain(learner.accessToken);
  });

  it(
    "resuming with Last-Event-ID loses nothing and duplicates nothing across 1,000 notifications",
    { timeout: 240_000 },
    async () => {
      const latest = await api(cluster.nodes[0], "GET", "/api/notifications?order=desc&limit=1", { token: learner.accessToken });
      let lastId: string = latest.body.items[0].id;
      const received: string[] = [];
      const TOTAL = 1000;
      let written = 0;
      // the writer: 1,000 announcements, 8 at a time, while the reader drops and resumes
      const writer = (async () => {
        const worker = async () => {
          while (written < TOTAL) {
            written++;
            const res = await announce(`n${written}`);
            if (res.status !== 201) throw new Error(`announce failed: ${res.status}`);
          }
        };
        await Promise.all(Array.from({ length: 8 }, worker));
      })();
      let node = 0;
      let reconnects = 0;
      while (received.length < TOTAL) {
        const client = await stream(node, { token: learner.accessToken, headers: { "last-event-id": lastId } });
        expect(client.status).toBe(200);
        const target = Math.min(TOTAL, received.length + 150 + Math.floor(Math.random() * 200));
        const before = received.length;
        await client.until(() => before + client.notifications().length >= target, 120_000);
        client.close();
        for (const n of client.notifications()) received.push(n.id);
        lastId = received[received.length - 1] ?? lastId;
        node = 1 - node;
        reconnects++;
      }
      await writer;
      expect(reconnects).toBeGreaterThanOrEqual(3);
      expect(new Set(received).size).toBe(received.length);
      expect(received).toHaveLength(TOTAL);
      // exactly the stored ones, oldest first
      const stored: string[] = [];
      let after = latest.body.items[0].id as string;
      for (;;) {
        const page = await api(cluster.nodes[0], "GET", `/api/notifications?limit=100&after=${after}`, {
          token: learner.accessToken,
        });
        stored.push(...page.body.items.map((n: { id: string }) => n.id));
        if (!page.body.nextCursor) break;
        after = page.body.nextCursor;
      }
      expect(received).toEqual(stored);
    },
  );

  it(
    "sends a comment line at least every 25 s, then event: auth-expired when the token expires, and ends",
    { timeout: 60_000 },
    async () => {
      const exp = Math.floor(Date.now() / 1000) + 18;
      const token = jwt.sign({ role: "learner", exp }, JWT_SECRET, { algorithm: "HS256", subject: learner.id });
      const opened = Date.now();
      const client = await stream(0, { token });
      expect(client.status).toBe(200);
      await client.until(() => client.ended, 30_000);
      const keepAlive = client.comments.filter((c) => c.text !== "");
      expect(keepAlive.length).toBeGreaterThanOrEqual(1);
      expect(keepAlive[0].at - opened).toBeLessThan(25_000);
      const expired = client.events.find((e) => e.event === "auth-expired");
      expect(expired).toBeDefined();
      expect(JSON.parse(expired!.data)).toEqual({ exp });
      expect(Date.now() - exp * 1000).toBeLessThan(10_000);
    },
  );

  it("a node shutting down (SIGTERM) ends its streams and still exits 0 within 10 s", { timeout: 60_000 }, async () => {
    // a process of its own, on the cluster's database and Redis: the signal and the exit code need one
    const node = await startNode(cluster.env);
    try {
      const client = await SseClient.open(`${node.url}/api/notifications/stream`, {
        authorization: `Bearer ${learner.accessToken}`,
      });
      open.push(client);
      expect(client.status).toBe(200);
      const stopping = Date.now();
      expect(await node.stop("SIGTERM")).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(10_000);
      await client.until(() => client.ended, 5_000);
    } finally {
      await node.stop("SIGKILL");
    }
  });
});
