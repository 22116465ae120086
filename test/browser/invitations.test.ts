import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { type Cluster, startProcessCluster } from "../support/clusters.js";
import { type ProcessNode } from "../support/processes.js";
import { api, makeCohort, makeUser, type TestUser, uniqueEmail } from "../support/rest.js";
import { launchChromium, newProfilePage, screenshot } from "./browser.js";
import { signIn } from "./web-app.js";

/** A mentor invites through the cohort page; a new person opens the link in their own browser profile and joins. */
describe("cohort invitations in the web app (Chromium)", () => {
  let cluster: Cluster<ProcessNode>;
  let node: ProcessNode;
  let browser: Browser;
  let mentor: TestUser;
  let cohort: { id: string; name: string };
  const errors: string[][] = [];

  const newPage = () => newProfilePage(browser, errors);

  const links = (page: Page) => page.$$eval("#invitations .invite-link", (els) => els.map((e) => (e as HTMLInputElement).value));

  beforeAll(async () => {
    [cluster, browser] = await Promise.all([startProcessCluster(1, { redis: false }), launchChromium()]);
    node = cluster.nodes[0]!;
    mentor = await makeUser(node, "mentor", "Mina Mentor");
    cohort = await makeCohort(node, mentor);
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
  });

  it("an invitation link brings a new user through registration into the cohort; a deleted one reads as gone", async () => {
    const m = await newPage();
    await signIn(m, node, mentor);
    await m.click(`#cohorts a:has-text("${cohort.name}")`);
    await m.waitForSelector("#invite-panel");
    await m.selectOption("#new-invitation select[name=role]", "learner");
    await m.fill("#new-invitation input[name=maxUses]", "2");
    await m.fill("#new-invitation input[name=expiresInDays]", "3");
    await m.click("#new-invitation button[type=submit]");
    await m.waitForSelector("#invitations .invite-link");
    const [link] = await links(m);
    expect(link).toMatch(new RegExp(`^${node.url}/invite/[^/]+$`));
    expect(await m.textContent("#invitations li")).toContain("0/2 used");
    await screenshot(m, "invitations-mentor");

    // a stranger opens the link, registers, comes back to it and joins
    const stranger = await newPage();
    await stranger.goto(link!);
    await stranger.waitForURL(/\/login\?next=%2Finvite%2F/);

    await stranger.fill("#register-form input[name=displayName]", "Ivy Invitee");
    await stranger.fill("#register-form input[name=email]", uniqueEmail("invitee"));
    await stranger.fill("#register-form input[name=password]", "invitee-password-1");
    await stranger.click("#register-form button[type=submit]");
    await stranger.waitForURL(link!);
    await stranger.click("#accept-invitation");
    await stranger.waitForURL(`${node.url}/cohorts/${cohort.id}`);
    await stranger.waitForSelector(`h1:has-text("${cohort.name}")`);
    expect(await stranger.textContent("main")).toContain("Ivy Invitee");
    expect(await stranger.$("#invite-panel")).toBeNull(); // a learner sees no invitation panel
    const members = await api(node, "GET", `/api/cohorts/${cohort.id}/members?limit=100`, { token: mentor.accessToken });
    expect(members.body.members).toContainEqual(
      expect.objectContaining({ role: "learner", user: expect.objectContaining({ displayName: "Ivy Invitee" }) }),
    );

    // the mentor sees the use counted, then deletes the invitation: its link reads as gone
    await m.reload();
    await m.waitForSelector('#invitations li:has-text("1/2 used")');
    await m.click("#invitations button.delete");
    await m.waitForSelector('#invitations li:has-text("No invitations yet.")');
    const late = await newPage();
    await late.goto(link!);
    await late.fill("#register-form input[name=displayName]", "Lou Late");
    await late.fill("#register-form input[name=email]", uniqueEmail("late"));
    await late.fill("#register-form input[name=password]", "late-password-12");
    await late.click("#register-form button[type=submit]");
    await late.waitForURL(link!);
    await late.click("#accept-invitation");
    await late.waitForSelector('#invite-error:has-text("This invitation is expired, used up or unknown")');
    expect(late.url()).toBe(link);
    await screenshot(late, "invitation-gone");
    // the only console errors allowed: the browser's own log of the refused accept
    expect(errors.flat().filter((e) => !/status of 404/.test(e))).toEqual([]);
  }, 120_000);
});
