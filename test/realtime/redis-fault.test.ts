import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { type PrivateRedis, startPrivateRedis } from "../support/redis.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { type ClientSocket, connect, emitOk, nextEvent } from "../support/sockets.js";
import { eventually } from "../support/time.js";

/** The contract: within 10 s of Redis' return, /readyz is 200 and cross-node delivery works again. */
const RECOVERY_MS = 10_000;

describe("Redis stopped and restarted under two running nodes", () => {
  // a private redis-server: the shared one on 6379 serves the other test files
  let redis: PrivateRedis;
  let cluster: Cluster;
  let mentor: TestUser;
  let learner: TestUser;
  let cohort: { id: string };
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    cluster = await startCluster(2, { env: { REDIS_URL: redis.url } });
    const n0 = cluster.nodes[0]!;
    [mentor, learner] = await Promise.all([makeUser(n0, "mentor"), makeUser(n0, "learner")]);
    cohort = await makeCohort(n0, mentor, [learner]);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
    await redis?.stop();
  });

  const announce = (node: number, title: string) =>
    api(cluster.nodes[node]!, "POST", `/api/cohorts/${cohort.id}/announcements`, {
      token: mentor.accessToken,
      body: { title, body: title },
    });

  it(
    "keeps answering while Redis is away (readyz 503) and recovers by itself, subscriptions included",
    { timeout: 120_000 },
    async () => {
      const [n0, n1] = cluster.nodes;
      const on0 = await connect(n0!, learner.accessToken);
      const on1 = await connect(n1!, learner.accessToken);
      sockets.push(on0, on1);

      // healthy: node 0 → node 1
      const baseline = nextEvent(on1, "notification", (n) => n.payload.title === "baseline");
      expect((await announce(0, "baseline")).status).toBe(201);
      await baseline;
      for (const node of cluster.nodes) expect((await api(node, "GET", "/readyz")).body).toEqual({ db: "ok", redis: "ok" });

      await redis.stop();
      for (const node of cluster.nodes) {
        await eventually(async () => {
          const r = await api(node, "GET", "/readyz");
          return r.status === 503 && r.body.redis === "down" && r.body.db === "ok";
        });
      }

      // nothing waits on Redis: reads, writes that publish, new sockets and socket events all answer
      for (const node of cluster.nodes) {
        expect((await api(node, "GET", "/healthz")).status).toBe(200);
        expect((await api(node, "GET", "/api/me", { token: learner.accessToken })).status).toBe(200);
        expect((await api(node, "GET", "/api/notifications", { token: learner.accessToken })).status).toBe(200);
      }
      const during = await announce(0, "during the outage");
      expect(during.status).toBe(201);
      const late = await connect(n1!, learner.accessToken);
      sockets.push(late);
      // what a socket may have missed live, it finds through sync
      const synced = await emitOk(late, "notifications:sync", {});
      expect(synced.ok).toBe(true);
      expect(synced.items.map((i) => i.payload.title)).toContain("during the outage");
      const metrics = (await api<string>(n0!, "GET", "/metrics")).body;
      expect(Number(/^cohort_live_redis_errors_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);

      await redis.start();
      for (const node of cluster.nodes) {
        await eventually(async () => (await api(node, "GET", "/readyz")).status === 200, RECOVERY_MS);
      }

      // cross-node delivery resumes in both directions without a restart
      let round = 0;
      for (const [from, socket] of [
        [0, on1],
        [1, on0],
      ] as const) {
        await eventually(
          async () => {
            const title = `after the outage ${++round}`;
            const arrived = nextEvent(socket, "notification", (n) => n.payload.title === title, 1000).then(
              () => true,
              () => false,
            );
            expect((await announce(from, title)).status).toBe(201);
            return arrived;
          },
          RECOVERY_MS,
          0,
        );
      }

      // so does the access bus: a removal on node 0 reaches node 1's permission cache at once
      const path = `/api/cohorts/${cohort.id}`;
      // (a role change through node 1 makes node 1 load the learner's access afresh, well inside its cache TTL)
      expect(
        (await api(n1!, "PATCH", `${path}/members/${learner.id}`, { token: mentor.accessToken, body: { role: "learner" } }))
          .status,
      ).toBe(200);
      expect((await api(n1!, "GET", path, { token: learner.accessToken })).status).toBe(200);
      expect((await api(n0!, "DELETE", `${path}/members/${learner.id}`, { token: mentor.accessToken })).status).toBe(204);
      await eventually(async () => (await api(n1!, "GET", path, { token: learner.accessToken })).status === 403, 5000);
    },
  );

  it("a node started while Redis is away subscribes once it returns", { timeout: 120_000 }, async () => {
    await redis.stop();
    const late = await cluster.addNode();
    expect((await api(late, "GET", "/readyz")).status).toBe(503);
    const member = await makeUser(late, "learner");
    const added = await api(late, "POST", `/api/cohorts/${cohort.id}/members`, {
      token: mentor.accessToken,
      body: { userId: member.id, role: "learner" },
    });
    expect(added.status).toBe(201);
    const socket = await connect(late, member.accessToken);
    sockets.push(socket);
    await redis.start();
    await eventually(async () => (await api(late, "GET", "/readyz")).status === 200, RECOVERY_MS);
    let round = 0;
    await eventually(
      async () => {
        const title = `to the late node ${++round}`;
        const arrived = nextEvent(socket, "notification", (n) => n.payload.title === title, 1000).then(
          () => true,
          () => false,
        );
        expect((await announce(0, title)).status).toBe(201);
        return arrived;
      },
      RECOVERY_MS,
      0,
    );
  });

  it("/metrics exposes every series of the contract", async () => {
    const text = (await api<string>(cluster.nodes[1]!, "GET", "/metrics")).body;
    for (const series of [
      "cohort_live_sockets_connected",
      "cohort_live_events_total",
      "cohort_live_ack_duration_seconds_bucket",
      "cohort_live_db_errors_total",
      "cohort_live_redis_errors_total",
      "process_cpu_user_seconds_total",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(text, series).toMatch(new RegExp(`^${series}`, "m"));
    }
    expect(text).toMatch(/^cohort_live_sockets_connected [1-9]/m);
    expect(text).toMatch(/^cohort_live_events_total\{event="notifications:sync",outcome="ok"\} [1-9]/m);
  });
});
