import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProcessCluster, type Cluster } from "../support/clusters.js";
import type { ProcessNode } from "../support/processes.js";
import { api, makeCohort, makeUser } from "../support/rest.js";
import { eventually } from "../support/time.js";
import { PushService } from "./push-service.js";

/**
 * A node killed with SIGKILL right after the notification was written, while its push was out without an answer
 * (the push service holds the request): the push job is in the database, so a node started again sends it.
 */
describe("a push due when its node dies", () => {
  let cluster: Cluster<ProcessNode>;
  const pushService = new PushService();
  beforeAll(async () => {
    await pushService.start();
    cluster = await startProcessCluster(1, { env: { PUSH_RETRY_DELAY_SECONDS: "1" } });
  });
  afterAll(async () => {
    await cluster?.close();
    await pushService.close();
  });

  it("arrives after a node starts again (well within the contract's 2 minutes)", { timeout: 150_000 }, async () => {
    const node = cluster.nodes[0];
    const mentor = await makeUser(node, "mentor");
    const learner = await makeUser(node, "learner");
    const cohort = await makeCohort(node, mentor, [learner]);
    const subscription = pushService.subscribe("crash-phone", ["hang"]);
    expect(
      (await api(node, "POST", "/api/devices", { token: learner.accessToken, body: { kind: "webpush", subscription } })).status,
    ).toBe(201);

    const posted = await api(node, "POST", `/api/cohorts/${cohort.id}/announcements`, {
      token: mentor.accessToken,
      body: { title: "Survives a crash", body: "b" },
    });
    expect(posted.status).toBe(201);
    // the push is out and unanswered: kill the node now
    await eventually(() => pushService.attempts.some((a) => a.device === "crash-phone"), 10_000, 20);
    await node.stop("SIGKILL");
    expect(pushService.pushesTo("crash-phone")).toHaveLength(0);

    const restarted = Date.now();
    await cluster.addNode();
    await eventually(() => pushService.pushesTo("crash-phone").length > 0, 120_000, 200);
    expect(Date.now() - restarted).toBeLessThan(120_000);
    const [push] = pushService.pushesTo("crash-phone");
    expect(push.message.notification).toMatchObject({ type: "announcement", payload: { title: "Survives a crash" } });
    expect(pushService.attempts.filter((a) => a.device === "crash-phone").length).toBe(2);
  });
});
