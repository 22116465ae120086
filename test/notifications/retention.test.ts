import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { eventually } from "../support/time.js";

/**
 * The retention job deletes read notifications older than NOTIFICATIONS_RETENTION_DAYS, in batches; unread and
 * recent ones stay. Each node asks for a run when it starts, so restarting a node shows it.
 */
describe("notification retention", () => {
  let cluster: Cluster;
  let learner: TestUser;
  beforeAll(async () => {
    cluster = await startCluster(1, { redis: false, env: { NOTIFICATIONS_RETENTION_DAYS: "30" } });
    const node = cluster.nodes[0];
    const mentor = await makeUser(node, "mentor");
    learner = await makeUser(node, "learner");
    await makeCohort(node, mentor, [learner]);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const count = async (where: string) =>
    Number(
      (
        await sql<{ n: string }>(cluster.dbUrl, `SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND ${where}`, [
          learner.id,
        ])
      )[0].n,
    );

  it(
    "deletes old read notifications in batches and keeps unread and recent ones; 0 keeps everything",
    { timeout: 120_000 },
    async () => {
      // 2,500 old and read (three batches), 40 old but unread, 30 read but recent
      await sql(
        cluster.dbUrl,
        `INSERT INTO notifications (user_id, type, payload, created_at, read_at)
       SELECT $1, 'announcement', '{}'::jsonb, now() - interval '40 days' - i * interval '1 minute',
              CASE WHEN i <= 2500 THEN now() - interval '35 days' END
         FROM generate_series(1, 2540) AS i`,
        [learner.id],
      );
      await sql(
        cluster.dbUrl,
        `INSERT INTO notifications (user_id, type, payload, created_at, read_at)
       SELECT $1, 'announcement', '{}'::jsonb, now() - interval '10 days', now() FROM generate_series(1, 30)`,
        [learner.id],
      );
      expect(await count("read_at IS NOT NULL AND created_at < now() - interval '30 days'")).toBe(2500);

      // a node started with retention 0 keeps everything
      const keeper = await cluster.addNode({ NOTIFICATIONS_RETENTION_DAYS: "0" });
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await count("true")).toBe(2570);
      await keeper.stop();

      // a node with 30 days deletes the old read ones at start-up
      await cluster.addNode();
      await eventually(async () => (await count("true")) === 70, 60_000, 250);
      expect(await count("read_at IS NULL")).toBe(40);
      expect(await count("read_at IS NOT NULL")).toBe(30);
      const listed = await api(cluster.nodes[0], "GET", "/api/notifications/unread-count", { token: learner.accessToken });
      expect(listed.body.count).toBe(40);
    },
  );
});
