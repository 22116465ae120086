import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type Cluster, startProcessCluster } from "../support/clusters.js";
import { type ProcessNode } from "../support/processes.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { eventually } from "../support/time.js";
import { collectErrors, launchChromium, screenshot } from "./browser.js";
import { editorText, signIn, typeAtEnd, waitForEditorText, waitForStatus } from "./web-app.js";

/** Two people in two browser profiles, each on its own node of a two-node cluster, using the web app. */
describe("the web app in Chromium, on two nodes", () => {
  let cluster: Cluster<ProcessNode>;
  let browser: Browser;
  let mentor: TestUser;
  let learner: TestUser;
  let cohort: { id: string; name: string };
  const contexts: BrowserContext[] = [];
  const errors: string[][] = [];
  const started = Date.now();

  async function open(node: number, user: TestUser): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    contexts.push(context);
    const page = await context.newPage();
    errors.push(collectErrors(page));
    await signIn(page, cluster.nodes[node], user);
    return { context, page };
  }

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([startProcessCluster(2), launchChromium()]);
    mentor = await makeUser(cluster.nodes[0], "mentor", "Maria Mentor");
    learner = await makeUser(cluster.nodes[1], "learner", "Lee Learner");
    cohort = await makeCohort(cluster.nodes[0], mentor, [learner]);
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
    console.log(`browser tests (live session): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("co-editing with the keyboard: cursors, presence, chat; an offline page converges when it comes back", async () => {
    const m = await open(0, mentor);
    const l = await open(1, learner);

    // the mentor creates and starts a session from the cohort page
    await m.page.click(`#cohorts a:has-text("${cohort.name}")`);
    await m.page.fill("#new-session input[name=title]", "Pairing in the browser");
    await m.page.click("#new-session button[type=submit]");
    await m.page.waitForURL(/\/sessions\/[0-9a-f-]{36}$/);
    const sessionId = m.page.url().split("/").pop()!;
    await waitForStatus(m.page, "synced");
    await m.page.click("#start");
    await m.page.waitForFunction(() => (globalThis as any).document.getElementById("session-status")?.textContent === "live");

    // the learner finds it through the cohort page
    await l.page.click(`#cohorts a:has-text("${cohort.name}")`);
    await l.page.click('#sessions a:has-text("Pairing in the browser")');
    await waitForStatus(l.page, "synced");
    await l.page.waitForFunction(() => (globalThis as any).document.getElementById("session-status")?.textContent === "live");

    await typeAtEnd(m.page, "const mentor = 1;");
    await waitForEditorText(l.page, (t) => t.includes("const mentor = 1;"));
    await typeAtEnd(l.page, " const learner = 2;");
    await waitForEditorText(m.page, (t) => t.includes("const learner = 2;"));

    // each sees the other's cursor with their name, and both in the presence list
    await m.page.waitForSelector(`.cm-ySelectionInfo:has-text("Lee Learner")`, { state: "attached" });
    await l.page.waitForSelector(`.cm-ySelectionInfo:has-text("Maria Mentor")`, { state: "attached" });
    for (const page of [m.page, l.page]) {
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll("#presence li").length === 2);
      const names = await page.$$eval("#presence li", (lis) => lis.map((li) => li.textContent ?? ""));
      expect(names.some((n) => n.includes("Maria Mentor"))).toBe(true);
      expect(names.some((n) => n.includes("Lee Learner"))).toBe(true);
    }

    // chat
    await m.page.fill("#chat-form input[name=body]", "Welcome to the session");
    await m.page.press("#chat-form input[name=body]", "Enter");
    await l.page.waitForSelector('#chat-log li:has-text("Welcome to the session")');
    await l.page.fill("#chat-form input[name=body]", "Thanks!");
    await l.page.press("#chat-form input[name=body]", "Enter");
    await m.page.waitForSelector('#chat-log li:has-text("Thanks!")');
    await screenshot(m.page, "live-session-mentor");
    await screenshot(l.page, "live-session-learner");

    // the learner goes offline; both type meanwhile; back online, everything converges
    await l.context.setOffline(true);
    await waitForStatus(l.page, "offline", 40_000);
    await typeAtEnd(m.page, " mentorWhileApart();");
    await typeAtEnd(l.page, " learnerOffline();");
    await l.context.setOffline(false);
    await waitForStatus(l.page, "synced", 40_000);
    const both = (t: string) => t.includes("mentorWhileApart();") && t.includes("learnerOffline();");
    const converged = await waitForEditorText(l.page, both);
    await waitForEditorText(m.page, (t) => t === converged);
    const stored = await eventually(async () => {
      const doc = await api(cluster.nodes[0], "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken });
      return doc.body.text === converged ? doc.body.text : null;
    });
    expect(stored).toBe(await editorText(m.page));
    await screenshot(m.page, "after-offline-mentor");
    await screenshot(l.page, "after-offline-learner");
    expect(errors.flat().filter((e) => !/ERR_INTERNET_DISCONNECTED|net::ERR/.test(e))).toEqual([]);
  }, 180_000);

  it("announcement form, live unread count and notifications list; a review with a line comment seen live", async () => {
    const m = await open(0, mentor);
    const l = await open(1, learner);
    const unread = async () =>
      (await api(cluster.nodes[1], "GET", "/api/notifications/unread-count", { token: learner.accessToken })).body
        .count as number;
    const badge = (n: number) =>
      l.page.waitForFunction((n) => Number((globalThis as any).document.getElementById("unread")?.textContent || 0) === n, n);
    const before = await unread();
    await badge(before); // the page has loaded its count

    await m.page.click(`#cohorts a:has-text("${cohort.name}")`);
    await m.page.fill("#new-announcement input[name=title]", "Office hours moved");
    await m.page.fill("#new-announcement textarea[name=body]", "Thursday at 4pm instead.");
    await m.page.click("#new-announcement button[type=submit]");
    await m.page.waitForSelector('#announcements li:has-text("Office hours moved")');

    // the learner's unread count goes up live, on the other node
    await badge(before + 1);
    await l.page.click("#nav-notifications");
    await l.page.waitForSelector('#notifications li.unread:has-text("Announcement: Office hours moved")');
    await screenshot(l.page, "notifications-learner");
    await l.page.click("#mark-read");
    await l.page.waitForFunction(() => (globalThis as any).document.getElementById("unread")?.hidden === true);

    // the learner asks for a review; the mentor comments on line 2; the learner sees it appear under that line
    await l.page.click("text=Cohorts");
    await l.page.click(`#cohorts a:has-text("${cohort.name}")`);
    await l.page.fill("#new-review input[name=title]", "My first function");
    await l.page.fill("#new-review textarea[name=code]", "function add(a, b) {\n  return a - b;\n}");
    await l.page.click("#new-review button[type=submit]");
    await l.page.waitForURL(/\/reviews\/[0-9a-f-]{36}$/);
    const reviewUrl = new URL(l.page.url()).pathname;

    await m.page.goto(cluster.nodes[0].url + reviewUrl); // a deep link: the server answers the app's index.html
    await m.page.click('li[data-line="2"] pre');
    await m.page.fill('li[data-line="2"] .comment-form input', "This subtracts: use + here.");
    await m.page.press('li[data-line="2"] .comment-form input', "Enter");
    await m.page.waitForSelector('li[data-line="2"] .comment:has-text("use + here")');
    await l.page.waitForSelector('li[data-line="2"] .comment:has-text("use + here")');
    await screenshot(l.page, "review-learner");
    expect(errors.flat().filter((e) => !/net::ERR/.test(e))).toEqual([]);
  }, 120_000);
});
