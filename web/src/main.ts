import "./style.css";
import { client, loginPath, navigate } from "./app.js";
import { renderHeader } from "./header.js";
import { cohortPage } from "./pages/cohort.js";
import { cohortsPage } from "./pages/cohorts.js";
import { invitePage } from "./pages/invite.js";
import { loginPage } from "./pages/login.js";
import { notificationsPage } from "./pages/notifications.js";
import { replayPage } from "./pages/replay.js";
import { reviewPage } from "./pages/review.js";
import { sessionPage } from "./pages/session.js";

/** A page renders into `main` and returns what to do when the user navigates away. */
export type Page = (main: HTMLElement, params: string[]) => Promise<(() => void) | void> | (() => void) | void;

const ID = "([0-9a-fA-F-]{36})";
const routes: [RegExp, Page][] = [
  [/^\/login$/, loginPage],
  [/^\/$/, cohortsPage],
  [new RegExp(`^/cohorts/${ID}$`), cohortPage],
  [new RegExp(`^/sessions/${ID}$`), sessionPage],
  [new RegExp(`^/sessions/${ID}/replay$`), replayPage],
  [new RegExp(`^/reviews/${ID}$`), reviewPage],
  [/^\/notifications$/, notificationsPage],
  [/^\/invite\/([^/]{1,400})$/, invitePage],
];

let cleanup: (() => void) | void;
let rendering = 0;

async function render() {
  const run = ++rendering;
  cleanup?.();
  cleanup = undefined;
  const main = document.getElementById("main")!;
  main.replaceChildren();
  const path = window.location.pathname;
  if (!client.user && path !== "/login") return navigate(loginPath(path + window.location.search));
  renderHeader();
  const match = routes.map(([re, page]) => [re.exec(path), page] as const).find(([m]) => m);
  if (!match) {
    main.textContent = "Nothing here.";
    return;
  }
  const done = await match[1](main, match[0]!.slice(1));
  if (run === rendering) cleanup = done;
  else done?.();
}

// links inside the app navigate without reloading
document.addEventListener("click", (event) => {
  const a = (event.target as Element).closest("a");
  if (!a || a.origin !== window.location.origin || a.target || event.ctrlKey || event.metaKey) return;
  event.preventDefault();
  navigate(a.pathname + a.search);
});
window.addEventListener("popstate", () => void render());
window.addEventListener("app:navigate", () => void render());
client.events.on("logout", () => navigate("/login"));
void render();
