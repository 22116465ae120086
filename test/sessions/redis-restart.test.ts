import { afterAll, describe, expect, it } from "vitest";
import { privateRedisSessionClusterForFile } from "../support/file-fixtures.js";
import type { TestUser } from "../support/rest.js";
import { emitAck, OpenedSockets } from "../support/sockets.js";
import { eventually } from "../support/time.js";
import { DocClient } from "../support/yjs.js";

describe("live sessions while Redis goes away and comes back empty", () => {
  const world = privateRedisSessionClusterForFile(2, { learners: 4, session: { title: "Outage", language: "ts" } });
  const sockets = new OpenedSockets();
  const open = (user: TestUser, node: number) => sockets.connect(world.cluster.nodes[node], user.accessToken);
  afterAll(() => sockets.closeAll());

  it(
    "documents stay writable and durable without Redis; presence and awareness come back by themselves",
    { timeout: 90_000 },
    async () => {
      const {
        learners: [a, b, c, d],
        sessionId,
        redis,
      } = world;
      const docA = new DocClient(sessionId);
      const docB = new DocClient(sessionId);
      await docA.join(await open(a, 0));
      await docB.join(await open(b, 1));
      expect(await emitAck(docA.socket, "awareness:update", { sessionId, state: { cursor: 7 } })).toEqual({ ok: true });

      await redis.stop();
      // writes need no Redis: acknowledged, stored, and served by doc:sync on the other node
      expect(await docA.type("during ")).toEqual({ ok: true });
      const lateJoin = await docB.join(await open(b, 1));
      expect(lateJoin.ok).toBe(true);
      expect(docB.text()).toBe("during ");
      expect(await emitAck(await open(c, 0), "session:join", { sessionId })).toMatchObject({ ok: true });

      // Redis returns with nothing in it: the nodes re-register their sockets and states on their own
      await redis.start();
      const watcher = await open(d, 1);
      const ack = await eventually(
        async () => {
          const r = await emitAck(watcher, "session:join", { sessionId });
          const ids = (r.ok ? r.presence : []).map((p) => p.userId);
          const hasCursor = (r.ok ? r.awareness : []).some(
            ({ userId, state }) =>
              userId === a.id && typeof state === "object" && state !== null && "cursor" in state && state.cursor === 7,
          );
          return [a.id, b.id, c.id, d.id].every((id) => ids.includes(id)) && hasCursor ? r : null;
        },
        40_000,
        500,
      );
      expect(ack!.ok).toBe(true);
      // and the document relays across nodes again
      await eventually(
        async () => {
          expect(await docA.type("x")).toEqual({ ok: true });
          await new Promise((r) => setTimeout(r, 200));
          return docB.text() === docA.text();
        },
        20_000,
        500,
      );
    },
  );
});
