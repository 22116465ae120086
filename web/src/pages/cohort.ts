import { attempt, client, myCohortRole, navigate } from "../app.js";
import { formValues, h, time } from "../dom.js";
import { invitationsPanel } from "./invitations-panel.js";

const form = (
  id: string,
  title: string,
  onSubmit: (v: Record<string, string>, f: HTMLFormElement) => Promise<void>,
  ...fields: Node[]
) =>
  h(
    "form",
    {
      class: "card",
      id,
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const f = e.target as HTMLFormElement;
        await onSubmit(formValues(f), f);
      },
    },
    h("h3", {}, title),
    ...fields,
  );

/** A cohort: its live sessions, announcements, reviews and members; the mentor's forms to add to each. */
export async function cohortPage(main: HTMLElement, [cohortId]: string[]): Promise<void> {
  const base = `/api/cohorts/${cohortId}` as const;
  const [{ cohort }, { sessions }, { announcements }, { reviews }, { members }, role] = await Promise.all([
    client.request("GET", base),
    client.request("GET", `${base}/sessions`),
    client.request("GET", `${base}/announcements?limit=100`),
    client.request("GET", `${base}/reviews`),
    client.request("GET", `${base}/members?limit=100`),
    myCohortRole(cohortId!),
  ]);
  const mentor = role === "mentor";
  const reload = () => navigate(window.location.pathname);

  const sessionsCol = h(
    "section",
    {},
    h("h2", {}, "Live sessions"),
    h(
      "ul",
      { class: "list", id: "sessions" },
      ...sessions.map((s) =>
        h(
          "li",
          {},
          h("a", { href: `/sessions/${s.id}` }, s.title),
          " ",
          h("span", { class: `status ${s.status}` }, s.status),
          s.status !== "scheduled" && " ",
          s.status !== "scheduled" && h("a", { class: "replay", href: `/sessions/${s.id}/replay` }, "replay"),
        ),
      ),
    ),
    mentor &&
      form(
        "new-session",
        "New session",
        async (v) => {
          const res = await attempt(() =>
            client.request("POST", `${base}/sessions`, {
              title: v.title,
              language: v.language || "javascript",
            }),
          );
          if (res) navigate(`/sessions/${res.session.id}`);
        },
        h("input", { name: "title", placeholder: "Title", required: true }),
        h("input", { name: "language", placeholder: "Language", value: "javascript" }),
        h("button", { type: "submit" }, "Create"),
      ),
  );

  const announcementsCol = h(
    "section",
    {},
    h("h2", {}, "Announcements"),
    h(
      "ul",
      { class: "list", id: "announcements" },
      ...[...announcements]
        .reverse()
        .map((a) =>
          h(
            "li",
            {},
            h("strong", {}, a.title),
            h("p", {}, a.body),
            h("small", { class: "muted" }, `${a.author.displayName} · ${time(a.createdAt)}`),
          ),
        ),
    ),
    mentor &&
      form(
        "new-announcement",
        "Announce",
        async (v) => {
          if (await attempt(() => client.request("POST", `${base}/announcements`, { title: v.title, body: v.body }))) reload();
        },
        h("input", { name: "title", placeholder: "Title", required: true, maxlength: 200 }),
        h("textarea", { name: "body", placeholder: "Message", required: true, rows: 3 }),
        h("button", { type: "submit" }, "Send to the cohort"),
      ),
  );

  const reviewsCol = h(
    "section",
    {},
    h("h2", {}, "Reviews"),
    h(
      "ul",
      { class: "list", id: "reviews" },
      ...reviews.map((r) =>
        h(
          "li",
          {},
          h("a", { href: `/reviews/${r.id}` }, r.title),
          " ",
          h("span", { class: `status ${r.status}` }, r.status),
          h("small", { class: "muted" }, ` by ${r.author.displayName}`),
        ),
      ),
    ),
    form(
      "new-review",
      "Ask for a review",
      async (v) => {
        const res = await attempt(() =>
          client.request("POST", `${base}/reviews`, {
            title: v.title,
            language: v.language || "javascript",
            code: v.code,
          }),
        );
        if (res) navigate(`/reviews/${res.review.id}`);
      },
      h("input", { name: "title", placeholder: "Title", required: true }),
      h("input", { name: "language", placeholder: "Language", value: "javascript" }),
      h("textarea", { name: "code", placeholder: "Code", required: true, rows: 6, class: "code" }),
      h("button", { type: "submit" }, "Request review"),
    ),
  );

  const membersCol = h(
    "section",
    {},
    h("h2", {}, "Members"),
    h(
      "ul",
      { class: "list" },
      ...members.map((m) =>
        h("li", {}, m.user.displayName, h("small", { class: "muted" }, ` ${m.role}${m.user.email ? ` · ${m.user.email}` : ""}`)),
      ),
    ),
    mentor &&
      form(
        "add-member",
        "Add a member",
        async (v) => {
          const found = await attempt(() => client.request("GET", `/api/users?email=${encodeURIComponent(v.email!)}`));
          if (
            found &&
            (await attempt(() =>
              client.request("POST", `${base}/members`, {
                userId: found.user.id,
                role: v.role === "mentor" ? "mentor" : "learner",
              }),
            ))
          )
            reload();
        },
        h("input", { name: "email", type: "email", placeholder: "Email", required: true }),
        h("select", { name: "role" }, h("option", { value: "learner" }, "learner"), h("option", { value: "mentor" }, "mentor")),
        h("button", { type: "submit" }, "Add"),
      ),
  );

  const invitationsCol = mentor && (await invitationsPanel(cohortId!));
  main.append(
    h("h1", {}, cohort.name),
    h("div", { class: "grid" }, sessionsCol, announcementsCol, reviewsCol, membersCol, invitationsCol),
  );
}
