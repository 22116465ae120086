import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedInProcess } from "../support/in-process.js";
import { api, makeUser, newId, type TestUser } from "../support/rest.js";
import type { Node } from "../support/servers.js";
import { PushService } from "./push-service.js";

/** Device registration as the contract has it, on the embedded default (PGlite), which also pushes. */
describe("devices and the push key (embedded database)", () => {
  let node: Node & { close(): Promise<void> };
  const pushService = new PushService();
  let ada: TestUser, bob: TestUser;
  beforeAll(async () => {
    await pushService.start();
    node = await startEmbeddedInProcess();
    ada = await makeUser(node, "mentor", "Ada");
    bob = await makeUser(node, "learner", "Bob");
  });
  afterAll(async () => {
    await node?.close();
    await pushService.close();
  });
  const register = (user: TestUser, body: unknown) => api(node, "POST", "/api/devices", { token: user.accessToken, body });
  const keys = () => pushService.subscribe(`k-${newId()}`).keys;

  it("GET /api/push/key needs no auth and stays the same key", async () => {
    const first = await api(node, "GET", "/api/push/key");
    expect(first.status).toBe(200);
    expect(Buffer.from(first.body.publicKey, "base64url")).toHaveLength(65);
    expect((await api(node, "GET", "/api/push/key")).body.publicKey).toBe(first.body.publicKey);
  });

  it("registers, lists and deletes a device; label is null when none was given", async () => {
    const sub = pushService.subscribe("list-phone");
    const created = await register(ada, { kind: "webpush", subscription: sub });
    expect(created.status).toBe(201);
    expect(created.body.device).toEqual({ id: expect.any(String), kind: "webpush", label: null, createdAt: expect.any(String) });
    const labelled = await register(ada, {
      kind: "webpush",
      subscription: pushService.subscribe("list-laptop"),
      label: "Laptop",
    });
    expect(labelled.body.device.label).toBe("Laptop");
    const listed = await api(node, "GET", "/api/devices", { token: ada.accessToken });
    expect(listed.body.devices.map((d: { id: string }) => d.id)).toEqual([created.body.device.id, labelled.body.device.id]);
    expect(JSON.stringify(listed.body)).not.toContain(sub.keys.auth); // the subscription's secrets stay on the server
    expect((await api(node, "DELETE", `/api/devices/${created.body.device.id}`, { token: bob.accessToken })).status).toBe(404);
    expect((await api(node, "DELETE", `/api/devices/${created.body.device.id}`, { token: ada.accessToken })).status).toBe(204);
    expect((await api(node, "DELETE", `/api/devices/${created.body.device.id}`, { token: ada.accessToken })).status).toBe(404);
    expect((await api(node, "DELETE", "/api/devices/nope", { token: ada.accessToken })).status).toBe(400);
    expect((await api(node, "GET", "/api/devices")).status).toBe(401);
  });

  it("the same endpoint again is 200 with the same device, now the caller's", async () => {
    const sub = pushService.subscribe("shared-tablet");
    const first = await register(ada, { kind: "webpush", subscription: sub, label: "Tablet" });
    expect(first.status).toBe(201);
    const again = await register(bob, { kind: "webpush", subscription: sub });
    expect(again.status).toBe(200);
    expect(again.body.device.id).toBe(first.body.device.id);
    expect(again.body.device.label).toBeNull();
    const adas = (await api(node, "GET", "/api/devices", { token: ada.accessToken })).body.devices as { id: string }[];
    expect(adas.some((d) => d.id === first.body.device.id)).toBe(false);
    const bobs = (await api(node, "GET", "/api/devices", { token: bob.accessToken })).body.devices as { id: string }[];
    expect(bobs.map((d) => d.id)).toContain(first.body.device.id);
  });

  it("refuses endpoints that are not https: (or http: to loopback), bad keys and long labels with 400", async () => {
    const bad = [
      { kind: "webpush", subscription: { endpoint: "http://push.example.com/x", keys: keys() } },
      { kind: "webpush", subscription: { endpoint: "ftp://127.0.0.1/x", keys: keys() } },
      { kind: "webpush", subscription: { endpoint: "not a url", keys: keys() } },
      { kind: "webpush", subscription: { endpoint: "http://10.0.0.1/x", keys: keys() } },
      { kind: "webpush", subscription: { endpoint: "https://push.example.com/x", keys: { ...keys(), p256dh: "AAAA" } } },
      { kind: "webpush", subscription: { endpoint: "https://push.example.com/x", keys: { ...keys(), auth: "short" } } },
      { kind: "webpush", subscription: { endpoint: "https://push.example.com/x", keys: keys() }, label: "x".repeat(81) },
      { kind: "fcm", subscription: { endpoint: "https://push.example.com/x", keys: keys() } },
      { kind: "webpush" },
    ];
    for (const body of bad) {
      const res = await register(ada, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("INVALID_PAYLOAD");
    }
    for (const endpoint of ["https://push.example.com/ok", "http://localhost:9/x", "http://127.1.2.3/x", "http://[::1]:9/x"]) {
      const res = await register(ada, { kind: "webpush", subscription: { endpoint, keys: keys() }, label: "é".repeat(80) });
      expect(res.status, endpoint).toBe(201);
    }
  });

  it("pushes on PGlite too: the job queue runs on the embedded database", async () => {
    const learner = await makeUser(node, "learner");
    const cohortRes = await api(node, "POST", "/api/cohorts", {
      token: ada.accessToken,
      body: { name: "Embedded", slug: `e-${newId().slice(0, 8)}` },
    });
    const cohortId = cohortRes.body.cohort.id as string;
    await api(node, "POST", `/api/cohorts/${cohortId}/members`, {
      token: ada.accessToken,
      body: { userId: learner.id, role: "learner" },
    });
    expect((await register(learner, { kind: "webpush", subscription: pushService.subscribe("embedded-phone") })).status).toBe(
      201,
    );
    const started = Date.now();
    await api(node, "POST", `/api/cohorts/${cohortId}/announcements`, {
      token: ada.accessToken,
      body: { title: "On PGlite", body: "b" },
    });
    while (pushService.pushesTo("embedded-phone").length === 0 && Date.now() - started < 5_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(pushService.pushesTo("embedded-phone")).toHaveLength(1);
    expect(pushService.pushesTo("embedded-phone")[0].message.title).toBe("Announcement: On PGlite");
    const metrics = String((await api(node, "GET", "/metrics")).body);
    expect(metrics).toMatch(/cohort_live_push_total\{outcome="sent"\} 1/);
  });
});
