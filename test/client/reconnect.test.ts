import jwt from "jsonwebtoken";
import { afterAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { CohortLiveClient, MemoryStorage } from "cohort-live/client";
import { startProcessCluster } from "../support/clusters.js";
import { cohortClusterForFile } from "../support/file-fixtures.js";
import { api } from "../support/rest.js";
import { startLiveSession } from "../support/sessions.js";
import { JWT_SECRET } from "../support/servers.js";
import { eventually } from "../support/time.js";

describe("cohort-live/client: token refresh and node restarts", () => {
  const world = cohortClusterForFile(startProcessCluster, 2, { learners: 1, learnersOn: [1] });
  const clients: CohortLiveClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("refreshes an access token before it expires and hands the new one to the connected socket", async () => {
    const { cluster } = world;
    const [learner] = world.learners;
    const node = cluster.nodes[1];
    const storage = new MemoryStorage();
    // an access token with 65 s left: due for refresh (a minute before expiry) in about 5 s
    const shortLived = jwt.sign({ role: "learner" }, JWT_SECRET, { algorithm: "HS256", subject: learner.id, expiresIn: 65 });
    const me = (await api(node, "GET", "/api/me", { token: learner.accessToken })).body.user;
    storage.setItem(
      `cohort-live:${node.url}:auth`,
      JSON.stringify({ user: me, accessToken: shortLived, refreshToken: learner.refreshToken }),
    );
    const client = new CohortLiveClient({ url: node.url, storage });
    clients.push(client);
    expect(client.user?.id).toBe(learner.id);
    const channel = client.connect();
    await eventually(() => channel.connected);
    const refreshes = async () => {
      const text = await (await fetch(`${node.url}/metrics`)).text();
      return Number(/cohort_live_events_total\{event="auth:refresh",outcome="ok"\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    await eventually(async () => (await refreshes()) >= 1, 15_000, 250);
    const stored = JSON.parse(storage.getItem(`cohort-live:${node.url}:auth`)!) as { accessToken: string };
    expect(stored.accessToken).not.toBe(shortLived);
    expect(channel.connected).toBe(true);
    expect((await client.request("GET", "/api/me")).user.id).toBe(learner.id);
  }, 30_000);

  it("a node restarting (SIGTERM, server:draining): the client reconnects, re-joins and sends what was typed meanwhile", async () => {
    const { cluster, mentor, cohortId } = world;
    const [learner] = world.learners;
    const sessionId = await startLiveSession(cluster.nodes[0], mentor, cohortId, {
      title: "Restart",
      language: "js",
      initialCode: "a",
    });

    const restarting = await cluster.addNode();
    const client = new CohortLiveClient({ url: restarting.url });
    clients.push(client);
    await client.login({ email: learner.email, password: learner.password });
    const doc = new Y.Doc();
    const live = await client.joinSession(sessionId, { doc });
    const statuses: string[] = [];
    live.events.on("status", (s) => statuses.push(s));
    doc.getText("code").insert(1, "b");
    await live.flushed();

    expect(await restarting.stop("SIGTERM")).toBe(0);
    await eventually(() => live.status === "offline");
    doc.getText("code").insert(2, "c"); // typed while the node is away
    const back = await cluster.addNode({ PORT: String(restarting.port) });
    expect(back.port).toBe(restarting.port);
    await eventually(() => live.status === "synced", 30_000, 100);
    await live.flushed();
    const text = await eventually(async () => {
      const r = await api(cluster.nodes[0], "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken });
      return r.body.text === "abc" ? r.body.text : null;
    });
    expect(text).toBe("abc");
    expect(statuses).toContain("offline");
    expect(statuses[statuses.length - 1]).toBe("synced");
  }, 60_000);
});
