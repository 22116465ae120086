import { CohortLiveClient, CohortLiveError } from "cohort-live/client";

/** The one client of the page: the server that served it, tokens in localStorage (shared by the tabs). */
export const client = new CohortLiveClient({ url: window.location.origin, storage: window.localStorage });

/** Client-side navigation (the server answers index.html for these paths). */
export function navigate(path: string): void {
  if (path !== window.location.pathname + window.location.search) history.pushState(null, "", path);
  window.dispatchEvent(new Event("app:navigate"));
}

/** The login page, coming back to `path` after signing in (the cohorts list needs no `next`). */
export const loginPath = (path: string) => (path === "/" ? "/login" : `/login?next=${encodeURIComponent(path)}`);

/** Where to go after signing in: the `next` of the login page's URL when it is a path of this app, else `/`. */
export function afterLogin(): string {
  const next = new URLSearchParams(window.location.search).get("next");
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}

let flashTimer: ReturnType<typeof setTimeout> | undefined;
/** Shows a message (an error, by default) at the top of the page for a few seconds. */
export function flash(message: string, kind: "error" | "info" = "error"): void {
  const el = document.getElementById("flash")!;
  el.textContent = message;
  el.className = kind;
  el.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => (el.hidden = true), 6_000);
}

/** Runs an action, showing a refusal instead of throwing. */
export async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    flash(err instanceof CohortLiveError ? `${err.message} (${err.code})` : String(err));
    return undefined;
  }
}

/** The caller's role in a cohort (admins act as mentors everywhere). */
export async function myCohortRole(cohortId: string): Promise<"learner" | "mentor" | null> {
  if (client.user?.role === "admin") return "mentor";
  const { members } = await client.request("GET", `/api/cohorts/${cohortId}/members?limit=100`);
  return members.find((m) => m.user.id === client.user?.id)?.role ?? null;
}
