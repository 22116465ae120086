import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import * as Y from "yjs";
import { CohortLiveClient, type HistoryItem, type LiveSession } from "cohort-live/client";
import { type Cluster, startProcessCluster } from "../support/clusters.js";
import { type ProcessNode } from "../support/processes.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { eventually, sleep } from "../support/time.js";
import { launchChromium, newProfilePage, screenshot } from "./browser.js";
import { editorText, signIn } from "./web-app.js";

/** Two people edit a session with the client package; one of them replays its history in the web app. */
describe("replaying a session's history in the web app (Chromium)", () => {
  let cluster: Cluster<ProcessNode>;
  let node: ProcessNode;
  let browser: Browser;
  let mentor: TestUser;
  let learner: TestUser;
  let cohort: { id: string; name: string };
  const clients: CohortLiveClient[] = [];
  const errors: string[][] = [];

  const newPage = () => newProfilePage(browser, errors);

  async function join(user: TestUser, sessionId: string): Promise<{ live: LiveSession; text: Y.Text }> {
    const client = new CohortLiveClient({ url: node.url });
    clients.push(client);
    await client.login(user);
    const doc = new Y.Doc();
    return { live: await client.joinSession(sessionId, { doc }), text: doc.getText("code") };
  }

  /** One edit, stored as its own history item (a few ms apart, so `document?at` tells them apart). */
  async function edit(who: { live: LiveSession; text: Y.Text }, change: (text: Y.Text) => void) {
    who.text.doc!.transact(() => change(who.text));
    await who.live.flushed();
    await sleep(5);
  }

  const slider = (page: Page) => page.$eval("#replay-slider", (el) => Number((el as HTMLInputElement).value));
  const moveTo = (page: Page, k: number) =>
    page.$eval(
      "#replay-slider",
      (el, value) => {
        const input = el as HTMLInputElement;
        input.value = String(value);
        input.dispatchEvent(new Event("input", { bubbles: true }));
      },
      k,
    );
  const highlighted = (page: Page) =>
    page.$$eval("#replay-text .replay-inserted", (els) => els.map((e) => e.textContent).join(""));

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([startProcessCluster(1, { redis: false }), launchChromium()]);
    node = cluster.nodes[0]!;
    mentor = await makeUser(node, "mentor", "Mina Mentor");
    learner = await makeUser(node, "learner", "Leo Learner");
    cohort = await makeCohort(node, mentor, [learner]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await browser?.close();
    await cluster?.close();
  });

  it("the slider walks the history: text, author and insertions of each update; play advances; the authors legend", async () => {
    const created = await api(node, "POST", `/api/cohorts/${cohort.id}/sessions`, {
      token: mentor.accessToken,
      body: { title: "Replay me", language: "javascript", initialCode: "// notes\n" },
    });
    const sessionId = created.body.session.id as string;
    await api(node, "POST", `/api/sessions/${sessionId}/start`, { token: mentor.accessToken });
    const m = await join(mentor, sessionId);
    const l = await join(learner, sessionId);
    const inSync = () => eventually(() => m.text.toString() === l.text.toString());

    await edit(m, (t) => t.insert(t.length, "const a = 1;\n"));
    await inSync();
    await edit(l, (t) => t.insert(t.length, "const b = 2;\n"));
    await inSync();
    await edit(m, (t) => t.insert(0, "/* top */\n"));
    await inSync();
    const at = l.text.toString().indexOf(" = 1;");
    await edit(l, (t) => {
      t.delete(at, 4);
      t.insert(at, " = 42");
    });
    await inSync();
    await edit(m, (t) => t.insert(t.length, "a + b;"));
    await api(node, "POST", `/api/sessions/${sessionId}/end`, { token: mentor.accessToken });

    const history = (await api(node, "GET", `/api/sessions/${sessionId}/history`, { token: mentor.accessToken })).body
      .updates as HistoryItem[];
    expect(history.map((h) => h.userId)).toEqual([mentor.id, mentor.id, learner.id, mentor.id, learner.id, mentor.id]);
    const expectedText = (k: number) => {
      const doc = new Y.Doc();
      for (const item of history.slice(0, k)) Y.applyUpdate(doc, Buffer.from(item.update, "base64"));
      return doc.getText("code").toString();
    };
    const inserted = ["// notes\n", "const a = 1;\n", "const b = 2;\n", "/* top */\n", " = 42", "a + b;"];
    const nameOf = (userId: string | null) => (userId === mentor.id ? "Mina Mentor" : "Leo Learner");

    // from the cohort page's list of sessions to the replay
    const page = await newPage();
    await signIn(page, node, mentor);
    await page.click(`#cohorts a:has-text("${cohort.name}")`);
    await page.click('#sessions li:has-text("Replay me") a.replay');
    await page.waitForURL(`${node.url}/sessions/${sessionId}/replay`);
    await page.waitForSelector("#replay-slider");
    expect(await page.$eval("#replay-slider", (el) => Number((el as HTMLInputElement).max))).toBe(history.length);
    expect(await slider(page)).toBe(history.length); // it opens on the last update
    expect(await editorText(page)).toBe(expectedText(history.length));

    for (const k of [1, 3, 2, 5, 4, 6]) {
      await moveTo(page, k);
      const item = history[k - 1]!;
      expect(await editorText(page)).toBe(expectedText(k));
      const { text } = (
        await api(node, "GET", `/api/sessions/${sessionId}/document?at=${encodeURIComponent(item.createdAt)}`, {
          token: mentor.accessToken,
        })
      ).body;
      if (history[k]?.createdAt !== item.createdAt) expect(await editorText(page)).toBe(text);
      expect(await page.textContent("#replay-author")).toBe(nameOf(item.userId));
      expect(await page.getAttribute("#replay-author", "data-user")).toBe(item.userId);
      expect(await highlighted(page)).toBe(inserted[k - 1]!.replace(/\n$/, "")); // a line break has no text of its own
      expect(await page.getAttribute("#replay-time", "datetime")).toBe(item.createdAt);
    }
    await moveTo(page, 4);
    expect(await page.textContent("#replay-change")).toBe("+10");
    await moveTo(page, 5);
    expect(await page.textContent("#replay-change")).toBe("+5 −4");
    await screenshot(page, "replay-step");

    // the keyboard moves the slider too
    await page.focus("#replay-slider");
    await page.keyboard.press("Home");
    expect(await slider(page)).toBe(1);
    expect(await editorText(page)).toBe("// notes\n");
    await page.keyboard.press("ArrowRight");
    expect(await page.textContent("#replay-author")).toBe("Mina Mentor");
    expect(await editorText(page)).toBe(expectedText(2));

    // play advances step by step to the end; pause stops it
    await page.click("#replay-play");
    expect(await page.textContent("#replay-play")).toBe("Pause");
    await page.waitForFunction(() => Number((document.getElementById("replay-slider") as HTMLInputElement).value) === 3);
    await page.waitForFunction(
      (n) => Number((document.getElementById("replay-slider") as HTMLInputElement).value) === n,
      history.length,
    );
    await page.waitForFunction(() => document.getElementById("replay-play")?.textContent === "Play");
    expect(await editorText(page)).toBe(expectedText(history.length));
    await page.click("#replay-play"); // at the end: from the first update again
    await page.waitForFunction(() => Number((document.getElementById("replay-slider") as HTMLInputElement).value) >= 2);
    await page.click("#replay-play");
    const paused = await slider(page);
    await sleep(1_000);
    expect(await slider(page)).toBe(paused);
    expect(await page.textContent("#replay-play")).toBe("Play");

    // the authors legend: both, with their number of updates
    const legend = await page.$$eval("#replay-authors li", (lis) =>
      lis.map((li) => ({
        user: li.getAttribute("data-user"),
        name: li.querySelector(".name")?.textContent,
        text: li.textContent,
        color: (li.querySelector(".dot") as HTMLElement | null)?.style.background,
      })),
    );
    // the authors are told apart: different colours, whatever their ids hash to
    expect(new Set(legend.map((l) => l.color)).size).toBe(legend.length);
    expect(legend).toEqual([
      { user: mentor.id, name: "Mina Mentor", text: expect.stringContaining("4 updates"), color: expect.any(String) },
      { user: learner.id, name: "Leo Learner", text: expect.stringContaining("2 updates"), color: expect.any(String) },
    ]);
    await screenshot(page, "replay");
    expect(errors.flat()).toEqual([]);
  }, 120_000);

  it("a session nobody typed in says so, reached from the session page", async () => {
    const created = await api(node, "POST", `/api/cohorts/${cohort.id}/sessions`, {
      token: mentor.accessToken,
      body: { title: "Silent", language: "javascript" },
    });
    const sessionId = created.body.session.id as string;
    const page = await newPage();
    await signIn(page, node, learner);
    await page.goto(`${node.url}/sessions/${sessionId}`);
    await page.click("#replay-link");
    await page.waitForURL(`${node.url}/sessions/${sessionId}/replay`);
    await page.waitForSelector("#replay-empty");
    expect(await page.textContent("#replay-empty")).toBe("Nothing was typed in this session.");
    expect(await page.$("#replay-slider")).toBeNull();
    expect(await page.$$("#replay-authors li")).toHaveLength(0);
    expect(errors.flat()).toEqual([]);
  }, 60_000);
});
