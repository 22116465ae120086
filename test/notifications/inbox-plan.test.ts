import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, makeUser, type TestUser } from "../support/rest.js";

const ROWS = 50_000;

/** The inbox query of NotificationInbox.list (src/notifications/service.ts), first page. */
const FIRST_PAGE = `SELECT id, user_id, type, payload, created_at, read_at FROM notifications
  WHERE user_id = $1 ORDER BY created_at, id LIMIT $2`;

describe("the notification inbox of a user with many notifications", () => {
  let cluster: Cluster;
  let user: TestUser;

  beforeAll(async () => {
    cluster = await startCluster(1, { redis: false });
    user = await makeUser(cluster.nodes[0]);
    const other = await makeUser(cluster.nodes[0]);
    for (const u of [user, other])
      await sql(
        cluster.dbUrl,
        `INSERT INTO notifications (user_id, type, payload, created_at)
         SELECT $1, 'announcement', '{}'::jsonb, now() - make_interval(secs => i) FROM generate_series(1, $2::int) i`,
        [u.id, ROWS],
      );
    await sql(cluster.dbUrl, "ANALYZE notifications");
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it("reads its first page through idx_notifications_user_cursor, without sorting", async () => {
    const plan = await sql<{ "QUERY PLAN": string }>(cluster.dbUrl, `EXPLAIN ${FIRST_PAGE}`, [user.id, 51]);
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toMatch(/Index Scan using idx_notifications_user_cursor on notifications/);
    expect(text).not.toMatch(/\bSort\b/);
  });

  it("answers the page with the oldest 50", async () => {
    const res = await api(cluster.nodes[0], "GET", "/api/notifications", { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(50);
    expect(res.body.nextCursor).toBe(res.body.items[49].id);
  });
});
