import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startProcessCluster } from "../support/clusters.js";
import { type ProcessNode, ROOT } from "../support/processes.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import { eventually } from "../support/time.js";
import { bundleForBrowser, collectErrors, launchChromium, screenshot, serveStatic, type StaticSite } from "./browser.js";

/** The CodeMirror example of docs/client.md (linked from the README), exactly as written there. */
function readmeExample(): string {
  const doc = readFileSync(join(ROOT, "docs", "client.md"), "utf8");
  const match = /<!-- codemirror-example -->\s*```ts\n([\s\S]*?)```/.exec(doc);
  if (!match) throw new Error("docs/client.md has no codemirror-example block");
  return match[1]!;
}

/** A page script of some other application: logs in, joins, edits, and reports what it saw in `window.result`. */
const PACKAGE_PAGE = `
import { CohortLiveClient } from "cohort-live/client";
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";

const p = new URLSearchParams(location.search);
const out: Record<string, unknown> = {};
try {
  const client = new CohortLiveClient({ url: p.get("server")!, storage: sessionStorage });
  await client.login({ email: p.get("email")!, password: p.get("password")! });
  const socket = client.connect().socket;
  out.firstTransport = socket.io.engine.transport.name;
  const doc = new Y.Doc();
  const live = await client.joinSession(p.get("session")!, { doc, awareness: new Awareness(doc) });
  out.initial = doc.getText("code").toString();
  doc.getText("code").insert(0, "from another origin; ");
  await live.flushed();
  for (let i = 0; i < 100 && socket.io.engine.transport.name !== "websocket"; i++) await new Promise((r) => setTimeout(r, 100));
  out.transport = socket.io.engine.transport.name;
  out.status = live.status;
  out.cohorts = await client.request("GET", "/api/cohorts");
} catch (err) {
  out.error = (err as { code?: string }).code ?? String(err);
}
(window as unknown as { result: unknown }).result = out;
`;

/** Two tabs of one origin: each page exposes its client's refresh and a REST call to the test. */
const TAB_PAGE = `
import { CohortLiveClient } from "cohort-live/client";

const p = new URLSearchParams(location.search);
const client = new CohortLiveClient({ url: p.get("server")!, storage: localStorage });
if (p.get("email")) await client.login({ email: p.get("email")!, password: p.get("password")! });
Object.assign(window, {
  tab: {
    webLocks: typeof navigator.locks?.request === "function",
    user: () => client.user?.id ?? null,
    refresh: () => client.refreshTokens(),
    me: async () => (await client.request("GET", "/api/me")).user.id,
  },
});
`;

const html = (script: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>page</title></head><body><script type="module" src="${script}"></script></body></html>`;

describe("the package in a page of another origin", () => {
  let cluster: Cluster<ProcessNode>;
  let browser: Browser;
  let allowed: StaticSite;
  let other: StaticSite;
  let mentor: TestUser;
  let learner: TestUser;
  let sessionId: string;
  const started = Date.now();

  beforeAll(async () => {
    const [packageJs, exampleJs, tabJs] = await Promise.all([
      bundleForBrowser({ contents: PACKAGE_PAGE }),
      bundleForBrowser({ contents: readmeExample() }),
      bundleForBrowser({ contents: TAB_PAGE }),
    ]);
    const files: Record<string, [string, string]> = {
      "/package.html": ["text/html", html("/package.js")],
      "/package.js": ["text/javascript", packageJs],
      "/example.html": ["text/html", html("/example.js")],
      "/example.js": ["text/javascript", exampleJs],
      "/tab.html": ["text/html", html("/tab.js")],
      "/tab.js": ["text/javascript", tabJs],
    };
    [allowed, other] = await Promise.all([serveStatic(files), serveStatic(files)]);
    [cluster, browser] = await Promise.all([startProcessCluster(2, { env: { CORS_ORIGINS: allowed.origin } }), launchChromium()]);
    mentor = await makeUser(cluster.nodes[0], "mentor", "Maria Mentor");
    learner = await makeUser(cluster.nodes[1], "learner", "Lee Learner");
    const cohort = await makeCohort(cluster.nodes[0], mentor, [learner]);
    const res = await api(cluster.nodes[0], "POST", `/api/cohorts/${cohort.id}/sessions`, {
      token: mentor.accessToken,
      body: { title: "Cross-origin", language: "js", initialCode: "let shared = true;" },
    });
    sessionId = res.body.session.id;
    await api(cluster.nodes[0], "POST", `/api/sessions/${sessionId}/start`, { token: mentor.accessToken });
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
    await allowed?.close();
    await other?.close();
    console.log(`browser tests (cross-origin): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  const documentText = async () =>
    (await api(cluster.nodes[0], "GET", `/api/sessions/${sessionId}/document`, { token: mentor.accessToken })).body
      .text as string;

  async function runPackagePage(
    site: StaticSite,
    node: number,
  ): Promise<{ page: Page; result: Record<string, unknown>; errors: string[] }> {
    const page = await (await browser.newContext()).newPage();
    const errors = collectErrors(page);
    const q = new URLSearchParams({
      server: cluster.nodes[node]!.url,
      session: sessionId,
      email: learner.email,
      password: learner.password,
    });
    await page.goto(`${site.origin}/package.html?${q}`);
    await page.waitForFunction(() => (globalThis as any).result !== undefined, undefined, {
      timeout: 30_000,
    });
    const result = (await page.evaluate(() => (globalThis as any).result)) as Record<string, unknown>;
    return { page, result, errors };
  }

  it("an allowed origin connects with the default transports (long-polling, then WebSocket) and edits", async () => {
    const { page, result, errors } = await runPackagePage(allowed, 1);
    expect(result).toMatchObject({
      firstTransport: "polling",
      transport: "websocket",
      status: "synced",
      initial: "let shared = true;",
    });
    expect(result.cohorts).toMatchObject({ cohorts: [{ name: expect.any(String) }] });
    await eventually(async () => (await documentText()).startsWith("from another origin; let shared = true;"));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("an origin CORS_ORIGINS does not list is refused by the browser", async () => {
    const { page, result } = await runPackagePage(other, 0);
    expect(result.error).toBe("NETWORK");
    await page.context().close();
  });

  it("two tabs sharing localStorage refresh at once (Web Locks): no refresh token is presented twice", async () => {
    const context = await browser.newContext();
    const [first, second] = [await context.newPage(), await context.newPage()];
    const errors = [...collectErrors(first), ...collectErrors(second)];
    const server = cluster.nodes[0]!.url;
    const login = new URLSearchParams({ server, email: learner.email, password: learner.password });
    await first.goto(`${allowed.origin}/tab.html?${login}`);
    await first.waitForFunction(() => (globalThis as any).tab !== undefined);
    await second.goto(`${allowed.origin}/tab.html?${new URLSearchParams({ server })}`);
    await second.waitForFunction(() => (globalThis as any).tab !== undefined);
    expect(await second.evaluate(() => (globalThis as any).tab.webLocks)).toBe(true);
    expect(await second.evaluate(() => (globalThis as any).tab.user())).toBe(learner.id); // the login is shared
    const refreshBoth = () =>
      Promise.all(
        [first, second].map((page) =>
          page.evaluate(() => Promise.all([(globalThis as any).tab.refresh(), (globalThis as any).tab.refresh()])),
        ),
      );
    for (let round = 0; round < 5; round++) await refreshBoth();
    // had one refresh token been presented twice, its family would be revoked and these would fail
    for (const page of [first, second]) expect(await page.evaluate(() => (globalThis as any).tab.me())).toBe(learner.id);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("the README's CodeMirror example works as written", async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 400 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    page.on("dialog", (dialog) => void dialog.accept(dialog.message() === "Email" ? mentor.email : mentor.password));
    const q = new URLSearchParams({ server: cluster.nodes[0]!.url, session: sessionId });
    await page.goto(`${allowed.origin}/example.html?${q}`);
    await page.waitForFunction(() => (globalThis as any).document.title === "synced", undefined, { timeout: 30_000 });
    await page.click(".cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.type(" // typed in the example", { delay: 15 });
    await eventually(async () => (await documentText()).endsWith("let shared = true; // typed in the example"));
    await screenshot(page, "readme-example");
    expect(errors).toEqual([]);
    await context.close();
  });
});
