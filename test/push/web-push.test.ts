import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { connect, nextEvent, type ClientSocket } from "../support/sockets.js";
import { eventually, sleep } from "../support/time.js";
import { PushService, type Subscription } from "./push-service.js";

/** Real Web Push from a two-node cluster to a push service of the test's own (see push-service.ts). */
describe("web push to devices of users with no connected socket", () => {
  let cluster: Cluster;
  const pushService = new PushService();
  const sockets: ClientSocket[] = [];
  let mentor: TestUser;
  let learner: TestUser;
  let cohortId: string;
  let publicKey: string;

  beforeAll(async () => {
    await pushService.start();
    // the retry knob shortens the back-off (1 s, doubling) so the 503-503-201 case runs in seconds
    cluster = await startCluster(2, { env: { PUSH_RETRY_DELAY_SECONDS: "1" } });
    mentor = await makeUser(cluster.nodes[0], "mentor", "Mentor Ada");
    learner = await makeUser(cluster.nodes[0], "learner");
    cohortId = (await makeCohort(cluster.nodes[0], mentor, [learner])).id;
    // both nodes make the key at once on first use: one of them wins, and both answer with that one
    const keys = await Promise.all(cluster.nodes.map((node) => api(node, "GET", "/api/push/key")));
    for (const key of keys) expect(key.status).toBe(200);
    publicKey = keys[0].body.publicKey;
    expect(keys[1].body.publicKey).toBe(publicKey);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
    await pushService.close();
  });

  const register = async (user: TestUser, subscription: Subscription, label?: string) => {
    const res = await api(cluster.nodes[1], "POST", "/api/devices", {
      token: user.accessToken,
      body: { kind: "webpush", subscription, ...(label === undefined ? {} : { label }) },
    });
    expect(res.status).toBe(201);
    return res.body.device as { id: string; kind: string; label: string | null };
  };
  const unregisterAll = async (user: TestUser) => {
    const { body } = await api(cluster.nodes[0], "GET", "/api/devices", { token: user.accessToken });
    for (const d of body.devices) await api(cluster.nodes[0], "DELETE", `/api/devices/${d.id}`, { token: user.accessToken });
  };
  const announce = async (title: string) => {
    const res = await api(cluster.nodes[0], "POST", `/api/cohorts/${cohortId}/announcements`, {
      token: mentor.accessToken,
      body: { title, body: "Details inside" },
    });
    expect(res.status).toBe(201);
    return res.body.announcement as { id: string };
  };

  it("every node serves the same VAPID key", async () => {
    expect(Buffer.from(publicKey, "base64url")).toHaveLength(65);
    expect((await api(cluster.nodes[0], "GET", "/api/push/key")).body.publicKey).toBe(publicKey);
  });

  it("a user offline on both nodes gets one push per device within 5 s: decryptable, VAPID-signed, with a TTL", async () => {
    const phone = pushService.subscribe("offline-phone");
    const laptop = pushService.subscribe("offline-laptop");
    await register(learner, phone, "Phone");
    await register(learner, laptop);
    const started = Date.now();
    const announcement = await announce("Binary search quiz");
    await eventually(
      () => pushService.pushesTo("offline-phone").length >= 1 && pushService.pushesTo("offline-laptop").length >= 1,
      5_000,
      50,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    await sleep(1500); // no second copy follows
    for (const device of ["offline-phone", "offline-laptop"]) {
      const pushes = pushService.pushesTo(device);
      expect(pushes).toHaveLength(1);
      const [push] = pushes;
      expect(push.contentEncoding).toBe("aes128gcm");
      expect(Number(push.ttl)).toBeGreaterThan(0);
      expect(push.message.notification).toMatchObject({
        type: "announcement",
        readAt: null,
        payload: {
          announcementId: announcement.id,
          cohortId,
          title: "Binary search quiz",
          author: { id: mentor.id, displayName: "Mentor Ada" },
        },
      });
      expect(typeof push.message.notification.id).toBe("string");
      expect(push.message.title).toBe("Announcement: Binary search quiz");
      expect(push.message.body).toBe("Mentor Ada posted to your cohort");
      expect(push.message.url).toBe(`/cohorts/${cohortId}`);
      expect(push.jwt.header).toMatchObject({ typ: "JWT", alg: "ES256" });
      expect(push.jwt.claims.aud).toBe(pushService.origin);
      expect(push.jwt.claims.sub).toBe("mailto:admin@localhost");
      expect(push.jwt.claims.exp * 1000).toBeGreaterThan(Date.now());
      expect(push.jwt.vapidKey).toBe(publicKey);
      expect(push.jwt.signatureValid).toBe(true);
    }
    const listed = await api(cluster.nodes[0], "GET", `/api/notifications?order=desc&limit=1`, { token: learner.accessToken });
    expect(pushService.pushesTo("offline-phone")[0].message.notification).toEqual(listed.body.items[0]);
    await unregisterAll(learner);
  });

  it("a user with a socket on the other node gets the live event and no push", async () => {
    await register(learner, pushService.subscribe("online-phone"));
    const socket = await connect(cluster.nodes[1], learner.accessToken);
    sockets.push(socket);
    await sleep(300); // the node shares the socket count right after the connection
    const live = nextEvent(socket, "notification", (n) => n.payload.title === "While you are here");
    await announce("While you are here");
    await live;
    await sleep(3_000);
    expect(pushService.attempts.filter((a) => a.device === "online-phone")).toHaveLength(0);
    socket.close();
    // once the socket is gone, the next one is pushed
    await sleep(300);
    await announce("After you left");
    await eventually(() => pushService.pushesTo("online-phone").length === 1, 5_000, 50);
    expect(pushService.pushesTo("online-phone")[0].message.notification.payload.title).toBe("After you left");
    await unregisterAll(learner);
  });

  it("a push service answering 410 removes the device", async () => {
    const gone = await register(learner, pushService.subscribe("gone-phone", [410]));
    const kept = await register(learner, pushService.subscribe("kept-phone"));
    await announce("Gone?");
    await eventually(async () => {
      const { body } = await api(cluster.nodes[1], "GET", "/api/devices", { token: learner.accessToken });
      return !body.devices.some((d: { id: string }) => d.id === gone.id);
    }, 10_000);
    const { body } = await api(cluster.nodes[1], "GET", "/api/devices", { token: learner.accessToken });
    expect(body.devices.map((d: { id: string }) => d.id)).toEqual([kept.id]);
    expect(pushService.attempts.filter((a) => a.device === "gone-phone")).toHaveLength(1);
    await unregisterAll(learner);
  });

  it("503 twice, then 201: delivered on the third try", async () => {
    await register(learner, pushService.subscribe("flaky-phone", [503, 503]));
    await announce("Third time lucky");
    await eventually(() => pushService.pushesTo("flaky-phone").length === 1, 20_000, 100);
    const tries = pushService.attempts.filter((a) => a.device === "flaky-phone");
    expect(tries).toHaveLength(3);
    // backed off: the waits grow (1–2 s, then 2–4 s with the test's 1 s knob)
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(900);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(1_800);
    expect(pushService.pushesTo("flaky-phone")[0].message.notification.payload.title).toBe("Third time lucky");
    const metrics = await api(cluster.nodes[0], "GET", "/metrics");
    const text = String(metrics.body) + String((await api(cluster.nodes[1], "GET", "/metrics")).body);
    expect(text).toMatch(/cohort_live_push_total\{outcome="retry"\} [1-9]/);
    expect(text).toMatch(/cohort_live_jobs_total\{queue="push-send",outcome="completed"\} [1-9]/);
    await unregisterAll(learner);
  });
});
