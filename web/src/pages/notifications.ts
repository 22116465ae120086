import type { Notification } from "cohort-live/client";
import { attempt, client } from "../app.js";
import { fill, h, time } from "../dom.js";
import { refreshUnread } from "../header.js";
import { pushToggle } from "../push-toggle.js";

/** A human line for a notification, and where it leads. */
function describe(n: Notification): { text: string; href?: string } {
  const p = n.payload as Record<string, string | undefined>;
  switch (n.type) {
    case "announcement":
      return { text: `Announcement: ${p.title ?? ""}`, href: p.cohortId && `/cohorts/${p.cohortId}` };
    case "session_started":
      return { text: `Session started: ${p.title ?? ""}`, href: p.sessionId && `/sessions/${p.sessionId}` };
    case "review_requested":
      return { text: `Review requested: ${p.title ?? ""}`, href: p.reviewId && `/reviews/${p.reviewId}` };
    case "review_revised":
      return { text: `Review revised: ${p.title ?? ""}`, href: p.reviewId && `/reviews/${p.reviewId}` };
    case "review_comment":
      return {
        text: `New comment${p.title ? ` on ${p.title}` : ""}${p.excerpt ? `: ${p.excerpt}` : ""}`,
        href: p.reviewId && `/reviews/${p.reviewId}`,
      };
    case "review_verdict":
      return { text: `Verdict: ${p.verdict ?? ""} (${p.status ?? ""})`, href: p.reviewId && `/reviews/${p.reviewId}` };
    default:
      return { text: n.type };
  }
}

/** Newest first; new ones appear live; "mark all read" clears the unread count. */
export async function notificationsPage(main: HTMLElement): Promise<() => void> {
  const items: Notification[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const res: { items: Notification[]; nextCursor: string | null } = await client.request(
      "GET",
      `/api/notifications?limit=100${after ? `&after=${after}` : ""}`,
    );
    items.push(...res.items);
    after = res.nextCursor;
    if (!after) break;
  }
  const list = h("ul", { id: "notifications", class: "list" });
  const render = () =>
    fill(
      list,
      ...[...items].reverse().map((n) => {
        const d = describe(n);
        return h(
          "li",
          { class: n.readAt ? "read" : "unread" },
          d.href ? h("a", { href: d.href }, d.text) : d.text,
          h("small", { class: "muted" }, ` ${time(n.createdAt)}`),
        );
      }),
    );
  const markAll = async () => {
    const last = items[items.length - 1];
    if (!last) return;
    await attempt(() => client.request("POST", "/api/notifications/read", { upTo: last.id }));
    for (const n of items) n.readAt ??= new Date().toISOString();
    render();
    await refreshUnread();
  };
  main.append(
    h("h1", {}, "Notifications"),
    pushToggle(),
    h("button", { type: "button", id: "mark-read", onclick: markAll }, "Mark all read"),
    list,
  );
  render();
  return client.onNotification((n) => {
    if (!items.some((i) => i.id === n.id)) items.push(n);
    render();
  });
}
