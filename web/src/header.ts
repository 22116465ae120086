import { client, navigate } from "./app.js";
import { fill, h } from "./dom.js";
import { unsubscribe } from "./push-toggle.js";

let unread = 0;
let listening = false;

function badge() {
  const el = document.getElementById("unread");
  if (el) {
    el.textContent = String(unread);
    el.hidden = unread === 0;
  }
}

/** Refetches the unread count (after marking notifications read). */
export async function refreshUnread(): Promise<void> {
  const { count } = await client.request("GET", "/api/notifications/unread-count");
  unread = count;
  badge();
}

/** The top bar: where to go, the unread count (kept live), who is logged in. */
export function renderHeader(): void {
  const top = document.getElementById("top")!;
  const user = client.user;
  if (!user) return fill(top);
  fill(
    top,
    h(
      "nav",
      {},
      h("a", { href: "/", class: "brand" }, "cohort-live"),
      h("a", { href: "/" }, "Cohorts"),
      h(
        "a",
        { href: "/notifications", id: "nav-notifications" },
        "Notifications ",
        h("span", { id: "unread", class: "badge", hidden: true }),
      ),
      h("span", { class: "spacer" }),
      h("span", { class: "who" }, `${user.displayName} (${user.role})`),
      h(
        "button",
        {
          type: "button",
          class: "link",
          onclick: async () => {
            await unsubscribe().catch(() => undefined);
            await client.logout();
            listening = false;
            navigate("/login");
          },
        },
        "Log out",
      ),
    ),
  );
  badge();
  if (!listening) {
    listening = true;
    client.onNotification(() => {
      unread++;
      badge();
    });
    client.connect().on("notification:read", () => void refreshUnread().catch(() => undefined));
    void refreshUnread().catch(() => undefined);
  }
}
