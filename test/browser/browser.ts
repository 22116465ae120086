/**
 * Real-browser fixtures: Debian's Chromium driven by playwright-core, a static server for pages of another
 * origin, and screenshots kept under test-results/browser/.
 */
import { build } from "esbuild";
import { existsSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "../support/processes.js";

export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const RESULTS = join(ROOT, "test-results", "browser");

/**
 * Launches headless Chromium (`--headless` plus the flags above). Playwright gives each launch a fresh temporary
 * `--user-data-dir`, removed on close; each `newContext()` is a separate profile (storage, cookies, network).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

/** Keeps a screenshot of `page` as a test artifact; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A page in a new context (a profile of its own) of 1280×900, whose console errors go to a new entry of `errors`. */
export async function newProfilePage(browser: Browser, errors: string[][]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  errors.push(collectErrors(page));
  return page;
}

/** Records the page's console errors and uncaught exceptions (asserted empty by the tests). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  return errors;
}

/** Bundles a browser script (resolving `cohort-live/client` through the package's exports, i.e. dist/). */
export async function bundleForBrowser(entry: { path: string } | { contents: string }): Promise<string> {
  const result = await build({
    ...("path" in entry
      ? { entryPoints: [entry.path] }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, loader: "ts" } }),
    absWorkingDir: ROOT,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

export interface StaticSite {
  origin: string;
  close(): Promise<void>;
}

/** Serves fixed files (path → [content type, body]) on its own port: a page of another origin. */
export async function serveStatic(files: Record<string, [string, string]>): Promise<StaticSite> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/favicon.ico") return void res.writeHead(204).end(); // no console error for the browser's own request
    const file = files[path];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file[0], "cache-control": "no-store" }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
