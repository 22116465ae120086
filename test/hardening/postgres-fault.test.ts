/** PostgreSQL stopped and restarted under two node processes: writes answer 503 UNAVAILABLE fast, and all works again after. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProcessNode, startNode } from "../support/processes.js";
import { redisPrefix, TEST_REDIS_URL } from "../support/redis.js";
import { api } from "../support/rest.js";
import { makeMentoredCohort, startLiveSession } from "../support/sessions.js";
import { JWT_SECRET } from "../support/servers.js";
import { connect, emitAck } from "../support/sockets.js";
import { eventually } from "../support/time.js";
import { startPrivatePostgres, type PrivatePostgres } from "./private-postgres.js";

describe("PostgreSQL outage under two nodes (a private cluster)", () => {
  let pg: PrivatePostgres;
  const nodes: ProcessNode[] = [];
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    const env = {
      DATABASE_URL: pg.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: redisPrefix(),
      JWT_SECRET,
      ADMIN_EMAILS: "admin@cohort.test",
      AUTH_RATE_LIMIT: "0",
    };
    nodes.push(await startNode(env));
    nodes.push(await startNode(env));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    pg?.destroy();
  });

  it("answers 503 UNAVAILABLE within seconds while it is down, and recovers by itself", async () => {
    const [a, b] = nodes as [ProcessNode, ProcessNode];
    const {
      mentor,
      learners: [learner],
      cohortId,
    } = await makeMentoredCohort(a, 1);
    const sessionId = await startLiveSession(a, mentor, cohortId, { title: "S", language: "ts" });
    const socket = await connect(b, learner.accessToken);
    expect((await emitAck(socket, "session:join", { sessionId })).ok).toBe(true);

    pg.stop();
    for (const node of [a, b]) {
      const started = Date.now();
      const write = await api(node, "POST", "/api/cohorts", {
        token: mentor.accessToken,
        body: { name: "down", slug: `down-${node.port}` },
      });
      expect(write.status).toBe(503);
      expect(write.body.error.code).toBe("UNAVAILABLE");
      const announce = await api(node, "POST", `/api/cohorts/${cohortId}/announcements`, {
        token: mentor.accessToken,
        body: { title: "t", body: "b" },
      });
      expect([503]).toContain(announce.status);
      expect(Date.now() - started).toBeLessThan(10_000);
    }
    const chat = await emitAck(socket, "chat:send", { sessionId, body: "while down", clientId: crypto.randomUUID() });
    expect(chat.ok).toBe(false);
    expect(["UNAVAILABLE"]).toContain(chat.error?.code);
    expect((await api(a, "GET", "/readyz")).status).toBe(503);

    pg.start();
    for (const node of [a, b]) {
      await eventually(async () => (await api(node, "GET", "/readyz")).status === 200, 30_000, 250);
      const write = await eventually(
        async () => {
          const res = await api(node, "POST", "/api/cohorts", {
            token: mentor.accessToken,
            body: { name: "up", slug: `up-${node.port}` },
          });
          return res.status === 201 ? res : null;
        },
        30_000,
        250,
      );
      expect(write?.status).toBe(201);
    }
    const after = await eventually(
      async () => {
        const ack = await emitAck(socket, "chat:send", { sessionId, body: "back", clientId: crypto.randomUUID() });
        return ack.ok ? ack : null;
      },
      30_000,
      250,
    );
    expect(after?.ok).toBe(true);
    socket.close();
  }, 120_000);
});
