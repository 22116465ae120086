import { CohortLiveError } from "cohort-live/client";
import { client, navigate } from "../app.js";
import { fill, h } from "../dom.js";

const GONE = "This invitation is expired, used up or unknown";

function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a malformed escape: the server answers 404 for it like any unknown code
  }
}

function explain(err: unknown): string {
  if (err instanceof CohortLiveError) return err.status === 404 ? GONE : `${err.message} (${err.code})`;
  return String(err);
}

/**
 * `/invite/<code>`: the signed-in user joins the cohort of an invitation (signing in comes first: main.ts sends
 * visitors to the login page and back here). The code alone names no cohort until it is accepted.
 */
export function invitePage(main: HTMLElement, [encoded]: string[]): void {
  const code = decodePart(encoded!);
  const error = h("p", { id: "invite-error", class: "error", role: "alert", hidden: true });
  const join: HTMLButtonElement = h(
    "button",
    {
      type: "button",
      id: "accept-invitation",
      onclick: async () => {
        join.disabled = true;
        error.hidden = true;
        try {
          const { cohort } = await client.request("POST", `/api/invitations/${encodeURIComponent(code)}/accept`);
          navigate(`/cohorts/${cohort.id}`);
        } catch (err) {
          fill(error, explain(err));
          error.hidden = false;
          join.disabled = false;
        }
      },
    },
    "Join the cohort",
  );
  main.append(
    h(
      "section",
      { class: "card", id: "invitation" },
      h("h1", {}, "You are invited to a cohort"),
      h("p", {}, `Signed in as ${client.user?.displayName ?? ""}. Joining makes you a member with the invitation's role.`),
      join,
      error,
    ),
  );
}
