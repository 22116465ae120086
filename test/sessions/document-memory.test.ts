import { afterAll, describe, expect, it } from "vitest";
import { privateRedisSessionClusterForFile } from "../support/file-fixtures.js";
import { api, type TestUser } from "../support/rest.js";
import type { Node } from "../support/servers.js";
import { OpenedSockets } from "../support/sockets.js";
import { eventually, sleep } from "../support/time.js";
import { DocClient } from "../support/yjs.js";

/** The value of a gauge on a node. */
async function gauge(node: Node, name: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
}

describe("each node's in-memory document stays equal to the stored one", () => {
  const world = privateRedisSessionClusterForFile(2, {
    cluster: { env: { SOCKET_RATE_LIMIT: "0" } },
    learners: 5,
    session: { title: "Memory", language: "ts", initialCode: "// memory\n" },
  });
  const sockets = new OpenedSockets();
  const client = async (user: TestUser, node: Node) => {
    const s = await sockets.connect(node, user.accessToken);
    const c = new DocClient(world.sessionId);
    expect((await c.join(s)).ok).toBe(true);
    return c;
  };
  const stored = async (node: Node) => {
    const res = await api(node, "GET", `/api/sessions/${world.sessionId}/document`, { token: world.mentor.accessToken });
    expect(res.status).toBe(200);
    return res.body.text as string;
  };

  afterAll(() => sockets.closeAll());

  it(
    "after a Redis outage and after a node restart, joins and GET …/document hold every acknowledged update",
    { timeout: 120_000 },
    async () => {
      const { cluster, learners: users, redis } = world;
      const [first, second] = cluster.nodes;
      const a = await client(users[0], first);
      const b = await client(users[1], second);
      for (const node of [first, second]) expect(await gauge(node, "cohort_live_documents_in_memory")).toBeGreaterThanOrEqual(1);
      expect(await a.type("one ")).toEqual({ ok: true });
      await eventually(() => b.text() === a.text());

      // Redis goes away: the second node's memory misses what the first one writes now
      await redis.stop();
      for (let i = 0; i < 5; i++) expect(await a.type(`outage${i} `)).toEqual({ ok: true });
      await sleep(300);
      expect(b.text()).not.toBe(a.text());
      // …yet it answers with every acknowledged update: a join, GET …/document, doc:sync
      expect(await stored(second)).toBe(a.text());
      const joiner = await client(users[2], second);
      expect(joiner.text()).toBe(a.text());
      await b.sync();
      expect(b.text()).toBe(a.text());

      // Redis returns: relays flow between the nodes again (what was typed while it came back is caught up by doc:sync)
      await redis.start();
      const received = b.received;
      await eventually(
        async () => {
          expect(await a.type("x")).toEqual({ ok: true });
          await sleep(200);
          return b.received > received;
        },
        30_000,
        500,
      );
      await b.sync();
      expect(b.text()).toBe(a.text());
      expect((await client(users[4], second)).text()).toBe(a.text());
      expect(await stored(second)).toBe(a.text());

      // a restarted node starts empty and loads the document from the database
      await second.stop();
      for (let i = 0; i < 3; i++) expect(await a.type(`while-down${i} `)).toEqual({ ok: true });
      const third = await cluster.addNode();
      expect(await gauge(third, "cohort_live_documents_in_memory")).toBe(0);
      const late = await client(users[3], third);
      expect(late.text()).toBe(a.text());
      expect(await stored(third)).toBe(a.text());
      expect(await stored(first)).toBe(a.text());
      expect(await gauge(third, "cohort_live_documents_in_memory")).toBe(1);
      // and keeps up with what the first node writes
      expect(await a.type("after-restart ")).toEqual({ ok: true });
      await eventually(() => late.text() === a.text());
      expect(await stored(third)).toBe(a.text());
    },
  );
});
