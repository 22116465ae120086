import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { type Cluster, startProcessCluster } from "../support/clusters.js";
import { type ProcessNode } from "../support/processes.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { eventually } from "../support/time.js";
import { PushService, type Subscription } from "../push/push-service.js";
import { collectErrors, launchChromium, screenshot } from "./browser.js";
import { signIn } from "./web-app.js";

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: { url: string; id: string };
}

/**
 * Headless Chromium here cannot reach a real push service (its `pushManager.subscribe` asks FCM), so the page's
 * `PushManager` answers with a subscription of the test's own push service when the test asks for it; everything
 * else is real: the app's toggle, its service worker, the server's encrypted push, and the worker's `push` event
 * (fed the decrypted bytes through the DevTools protocol, as a browser would after decrypting).
 */
function useLocalPushService(subscription: Subscription) {
  const w = globalThis as any;
  const real = { subscribe: w.PushManager.prototype.subscribe, getSubscription: w.PushManager.prototype.getSubscription };
  const KEY = "test.local-push-subscription";
  const fake = () => ({
    endpoint: subscription.endpoint,
    expirationTime: null,
    toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
    unsubscribe: async () => (w.localStorage.removeItem(KEY), true),
  });
  w.PushManager.prototype.subscribe = async function (options: { userVisibleOnly: boolean; applicationServerKey: string }) {
    if (!w.useLocalPushService) return real.subscribe.call(this, options);
    w.subscribeOptions = { userVisibleOnly: options.userVisibleOnly, applicationServerKey: options.applicationServerKey };
    w.localStorage.setItem(KEY, "1");
    return fake();
  };
  w.PushManager.prototype.getSubscription = async function () {
    return w.localStorage.getItem(KEY) ? fake() : real.getSubscription.call(this);
  };
}

describe("Web Push to a phone whose app tab is closed (Chromium, service worker)", () => {
  let cluster: Cluster<ProcessNode>;
  let browser: Browser;
  let node: ProcessNode;
  let mentor: TestUser;
  let learner: TestUser;
  let cohortId: string;
  const pushService = new PushService();
  const started = Date.now();

  beforeAll(async () => {
    await pushService.start();
    [cluster, browser] = await Promise.all([startProcessCluster(1, { redis: false }), launchChromium()]);
    node = cluster.nodes[0]!;
    mentor = await makeUser(node, "mentor", "Maria Mentor");
    learner = await makeUser(node, "learner", "Lee Learner");
    cohortId = (await makeCohort(node, mentor, [learner])).id;
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
    await pushService.close();
    console.log(`browser tests (push): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  /** The service worker's registration, as the DevTools protocol reports it. */
  async function watchRegistrations(cdp: CDPSession): Promise<() => string | undefined> {
    const registrations = new Map<string, { scopeURL: string; isDeleted: boolean }>();
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations: list }) => {
      for (const r of list) registrations.set(r.registrationId, r);
    });
    await cdp.send("ServiceWorker.enable");
    return () => [...registrations].find(([, r]) => r.scopeURL === `${node.url}/` && !r.isDeleted)?.[0];
  }

  /** What the origin's service worker registration shows, read from a same-origin page that is not the app. */
  const shownNotifications = (page: Page): Promise<ShownNotification[]> =>
    page.evaluate(async () => {
      const registration = await (globalThis as any).navigator.serviceWorker.getRegistration("/");
      const list = registration ? await registration.getNotifications() : [];
      return list.map((n: ShownNotification) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
    });

  it("a learner turns notifications on at phone size, closes the tab, and the service worker shows the announcement", async () => {
    const context: BrowserContext = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      // a phone's user agent: the device's label comes from it
      userAgent:
        "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36",
    });
    const subscription = pushService.subscribe("lee-phone");
    await context.addInitScript(useLocalPushService, subscription);

    // a page of no origin holds the DevTools session, so it outlives the app's tab
    const devtoolsPage = await context.newPage();
    const cdp = await context.newCDPSession(devtoolsPage);
    const registrationId = await watchRegistrations(cdp);

    const app = await context.newPage();
    const errors = collectErrors(app);
    await signIn(app, node, learner);
    await app.click("#nav-notifications");
    await app.waitForURL(`${node.url}/notifications`);
    await app.waitForSelector("#push-toggle:not([disabled])");
    expect(await app.isChecked("#push-toggle")).toBe(false);

    // without permission the browser refuses: the page says so in words, and the toggle stays off
    await app.tap("#push-toggle");
    await app.waitForSelector("#push-hint.error");
    expect(await app.textContent("#push-hint")).toMatch(/^Notifications are blocked for this site/);
    expect(await app.isChecked("#push-toggle")).toBe(false);
    expect(await app.isDisabled("#push-toggle")).toBe(true); // headless Chromium answers the prompt with "denied"

    // allowed, and with the test's push service standing in for the browser's
    await context.grantPermissions(["notifications"], { origin: node.url });
    await app.reload();
    await app.waitForSelector("#push-toggle:not([disabled])");
    await app.evaluate(() => ((globalThis as any).useLocalPushService = true));
    await app.tap("#push-toggle");
    await app.waitForFunction(() => (globalThis as any).document.getElementById("push-hint")?.textContent?.includes("closed"));
    expect(await app.isChecked("#push-toggle")).toBe(true);
    const { publicKey } = (await api(node, "GET", "/api/push/key")).body;
    expect(await app.evaluate(() => (globalThis as any).subscribeOptions)).toEqual({
      userVisibleOnly: true,
      applicationServerKey: publicKey,
    });
    const { devices } = (await api(node, "GET", "/api/devices", { token: learner.accessToken })).body;
    expect(devices).toMatchObject([{ kind: "webpush", label: "Chrome on Android" }]);
    const swRegistration = (await eventually(registrationId, 10_000))!;
    await screenshot(app, "push-toggle-on-phone");
    // Chromium's own console line about the first, real subscribe (a Playwright context is off the record)
    expect(errors.filter((e) => !e.includes("does not support the Push API in incognito mode"))).toEqual([]);

    // the tab closes: the learner has no socket anywhere, so the announcement goes out as a push
    const socketsOpen = async () =>
      Number(/^cohort_live_sockets_connected(?:\{[^}]*\})? (\d+)$/m.exec((await api<string>(node, "GET", "/metrics")).body)?.[1]);
    expect(await socketsOpen()).toBe(1); // the app's own socket
    await app.close();
    await eventually(async () => (await socketsOpen()) === 0);
    const posted = await api(node, "POST", `/api/cohorts/${cohortId}/announcements`, {
      token: mentor.accessToken,
      body: { title: "Quiz moved to Friday", body: "Same room, 10:00" },
    });
    expect(posted.status).toBe(201);
    const push = await eventually(() => pushService.pushesTo("lee-phone")[0]);
    expect(push.message.notification.type).toBe("announcement");
    expect(push.message.url).toBe(`/cohorts/${cohortId}`);

    // the browser would decrypt and hand the bytes to the worker: the DevTools protocol does that last step
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: node.url,
      registrationId: swRegistration,
      data: push.text,
    });
    const probe = await context.newPage(); // same origin, not the app (no socket): only reads the registration
    await probe.goto(`${node.url}/favicon.svg`);
    const shown = await eventually(async () => (await shownNotifications(probe))[0]);
    expect(shown).toEqual({
      title: push.message.title,
      body: push.message.body,
      tag: push.message.notification.id,
      data: { url: `/cohorts/${cohortId}`, id: push.message.notification.id },
    });
    expect(`${shown.title} ${shown.body}`).toContain("Quiz moved to Friday");

    // the same push again (delivery is at least once) while a page of the origin is open: the worker posts it there
    await probe.evaluate(() => {
      const sw = (globalThis as any).navigator.serviceWorker;
      (globalThis as any).posted = [];
      sw.addEventListener("message", (e: { data: unknown }) => (globalThis as any).posted.push(e.data));
      sw.startMessages();
    });
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: node.url, registrationId: swRegistration, data: push.text });
    const [message] = await eventually(() => probe.evaluate(() => (globalThis as any).posted[0] && (globalThis as any).posted));
    expect(message).toEqual({ type: "push", message: push.message });
    expect(await shownNotifications(probe)).toHaveLength(1); // one notification per id, never stacked
    await probe.close();

    // back in the app, the toggle is still on; turning it off removes the device
    const again = await context.newPage();
    await again.goto(`${node.url}/notifications`);
    await again.waitForSelector("#push-toggle:checked:not([disabled])");
    await again.waitForSelector(`#notifications li:has-text("Quiz moved to Friday")`);
    await screenshot(again, "push-inbox-after-push");
    await again.tap("#push-toggle");
    await again.waitForSelector("#push-toggle:not(:checked):not([disabled])");
    await eventually(
      async () => (await api(node, "GET", "/api/devices", { token: learner.accessToken })).body.devices.length === 0,
    );
    await context.close();
  }, 120_000);
});
