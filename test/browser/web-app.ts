/** Driving the web app's pages the way a user does: through its forms, links and the editor, with the keyboard. */
import { expect } from "vitest";
import type { Page } from "playwright-core";
import type { TestUser } from "../support/rest.js";

export async function signIn(page: Page, node: { url: string }, user: TestUser): Promise<void> {
  await page.goto(`${node.url}/`);
  await page.waitForURL(`${node.url}/login`);
  await page.fill("#login-form input[name=email]", user.email);
  await page.fill("#login-form input[name=password]", user.password);
  await page.click("#login-form button[type=submit]");
  await page.waitForURL(`${node.url}/`);
}

/** The editor's text as the user sees it (others' cursor labels left out). */
export function editorText(page: Page): Promise<string> {
  return page.$$eval(".cm-line", (lines) =>
    lines
      .map((line) => {
        const copy = line.cloneNode(true) as Element;
        copy.querySelectorAll(".cm-ySelectionCaret, .cm-widgetBuffer").forEach((e: { remove(): void }) => e.remove());
        return copy.textContent ?? "";
      })
      .join("\n"),
  );
}

/** Types at the end of the document, with the keyboard. */
export async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text, { delay: 15 });
  await page.keyboard.press("Escape"); // closes an autocompletion popup, if one opened
}

export async function waitForStatus(page: Page, status: "synced" | "offline" | "connecting", timeout = 30_000): Promise<void> {
  await page.waitForFunction((s) => (globalThis as any).document.getElementById("status")?.textContent === s, status, {
    timeout,
  });
}

export async function waitForEditorText(page: Page, check: (text: string) => boolean, timeout = 20_000): Promise<string> {
  const deadline = Date.now() + timeout;
  let last = "";
  while (Date.now() < deadline) {
    last = await editorText(page);
    if (check(last)) return last;
    await page.waitForTimeout(100);
  }
  expect.fail(`editor text never matched; last: ${JSON.stringify(last)}`);
}
