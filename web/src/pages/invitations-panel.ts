import { attempt, client, flash } from "../app.js";
import { fill, formValues, h, time } from "../dom.js";

type Invitation = Awaited<ReturnType<typeof listInvitations>>[number];

async function listInvitations(cohortId: string) {
  return (await client.request("GET", `/api/cohorts/${cohortId}/invitations`)).invitations;
}

/** The link a new member opens: the accept page of this web app. */
export const inviteLink = (code: string) => `${window.location.origin}/invite/${encodeURIComponent(code)}`;

function invitationItem(invitation: Invitation, refresh: () => Promise<void>): HTMLLIElement {
  const link = inviteLink(invitation.code);
  const expired = new Date(invitation.expiresAt).getTime() <= Date.now();
  return h(
    "li",
    { class: "invitation", "data-id": invitation.id },
    h("strong", {}, invitation.role),
    h(
      "small",
      { class: "muted" },
      ` ${invitation.uses}/${invitation.maxUses} used · ${expired ? "expired" : "expires"} ${time(invitation.expiresAt)}`,
    ),
    h(
      "div",
      { class: "row" },
      h("input", { class: "invite-link", value: link, readonly: true, "aria-label": "Invitation link" }),
      h(
        "button",
        {
          type: "button",
          onclick: async () => {
            try {
              await navigator.clipboard.writeText(link);
              flash("Link copied", "info");
            } catch {
              flash("Copying is not allowed here: select the link and copy it");
            }
          },
        },
        "Copy",
      ),
      h(
        "button",
        {
          type: "button",
          class: "delete",
          onclick: async () => {
            const deleted = await attempt(() => client.request("DELETE", `/api/invitations/${invitation.id}`).then(() => true));
            if (deleted) await refresh();
          },
        },
        "Delete",
      ),
    ),
  );
}

/** The mentors' "Invite" panel of a cohort page: create invitation links, see their uses and expiry, delete them. */
export async function invitationsPanel(cohortId: string): Promise<HTMLElement> {
  const list = h("ul", { class: "list", id: "invitations" });
  const refresh = async () => {
    const invitations = await attempt(() => listInvitations(cohortId));
    if (!invitations) return;
    fill(
      list,
      ...(invitations.length === 0
        ? [h("li", { class: "muted" }, "No invitations yet.")]
        : invitations.map((i) => invitationItem(i, refresh))),
    );
  };
  await refresh();
  const create = h(
    "form",
    {
      class: "card",
      id: "new-invitation",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const v = formValues(e.target as HTMLFormElement);
        const created = await attempt(() =>
          client.request("POST", `/api/cohorts/${cohortId}/invitations`, {
            role: v.role === "mentor" ? "mentor" : "learner",
            maxUses: Number(v.maxUses),
            expiresInDays: Number(v.expiresInDays),
          }),
        );
        if (created) await refresh();
      },
    },
    h("h3", {}, "Invite"),
    h(
      "label",
      {},
      "Role ",
      h("select", { name: "role" }, h("option", { value: "learner" }, "learner"), h("option", { value: "mentor" }, "mentor")),
    ),
    h("label", {}, "Max uses ", h("input", { name: "maxUses", type: "number", min: 1, max: 1000, value: 1, required: true })),
    h(
      "label",
      {},
      "Expires in (days) ",
      h("input", { name: "expiresInDays", type: "number", min: 1, max: 90, value: 7, required: true }),
    ),
    h("button", { type: "submit" }, "Create invitation link"),
  );
  return h("section", { id: "invite-panel" }, h("h2", {}, "Invitations"), list, create);
}
