import type { ReviewComment } from "cohort-live/client";
import { attempt, client } from "../app.js";
import { fill, formValues, h, time } from "../dom.js";

/** A review: the code with line numbers, comments under their line (click a line to comment), verdicts. */
export async function reviewPage(main: HTMLElement, [reviewId]: string[]): Promise<() => void> {
  const me = client.user!;
  let view = await client.request("GET", `/api/reviews/${reviewId}`);
  const header = h("div", {});
  const code = h("ol", { id: "review-code", class: "code-lines" });
  const general = h("div", { id: "general-comments" });
  let openLine: number | null = null;

  const comment = (c: ReviewComment) =>
    h(
      "div",
      { class: "comment" },
      h("strong", {}, c.author.displayName),
      " ",
      c.body,
      h("small", { class: "muted" }, ` r${c.revision} · ${time(c.createdAt)}`),
    );
  const commentForm = (line: number | null) =>
    h(
      "form",
      {
        class: "comment-form",
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const { body } = formValues(e.target as HTMLFormElement);
          const res = await attempt(() =>
            client.request("POST", `/api/reviews/${reviewId}/comments`, line ? { body, line } : { body }),
          );
          if (res) {
            openLine = null;
            add(res.comment);
          }
        },
      },
      h("input", {
        name: "body",
        placeholder: line ? `Comment on line ${line}` : "Comment on the review",
        required: true,
        maxlength: 5000,
      }),
      h("button", { type: "submit" }, "Comment"),
    );

  const render = () => {
    const { review, reviewers, comments } = view;
    const mine = reviewers.find((r) => r.user.id === me.id);
    const verdict = (v: "approve" | "request_changes") => async () => {
      const res = await attempt(() => client.request("POST", `/api/reviews/${reviewId}/verdict`, { verdict: v }));
      if (!res) return;
      view = { ...view, ...res };
      render();
    };
    fill(
      header,
      h("h1", {}, review.title, " ", h("span", { id: "review-status", class: `status ${review.status}` }, review.status)),
      h("p", { class: "muted" }, `by ${review.author.displayName} · ${review.language} · revision ${review.revision}`),
      review.description && h("p", {}, review.description),
      h(
        "p",
        {},
        "Reviewers: ",
        reviewers.length ? reviewers.map((r) => `${r.user.displayName} (${r.verdict ?? "pending"})`).join(", ") : "none",
      ),
      mine &&
        review.status !== "closed" &&
        h(
          "div",
          { class: "controls" },
          h("button", { type: "button", onclick: verdict("approve") }, "Approve"),
          h("button", { type: "button", class: "danger", onclick: verdict("request_changes") }, "Request changes"),
        ),
    );
    fill(
      code,
      ...review.code.split("\n").map((text, i) => {
        const line = i + 1;
        return h(
          "li",
          { "data-line": line },
          h(
            "pre",
            { onclick: () => ((openLine = openLine === line ? null : line), render()), title: "Comment on this line" },
            text || " ",
          ),
          ...comments.filter((c) => c.line === line).map(comment),
          openLine === line && commentForm(line),
        );
      }),
    );
    fill(general, ...comments.filter((c) => c.line === null).map(comment));
    (code.querySelector(".comment-form input") as HTMLInputElement | null)?.focus();
  };
  const add = (c: ReviewComment) => {
    if (!view.comments.some((x) => x.id === c.id)) view.comments.push(c);
    render();
  };

  main.append(
    header,
    h("h2", {}, "Code"),
    h("p", { class: "muted" }, "Click a line to comment on it."),
    code,
    h("h2", {}, "Comments"),
    general,
    commentForm(null),
  );
  render();

  const channel = client.connect();
  const subscribe = () => void channel.call("review:subscribe", { reviewId: reviewId! }).catch(() => undefined);
  if (channel.connected) subscribe();
  const offs = [
    channel.onConnect(subscribe),
    channel.on("review:comment", (p) => p.reviewId === reviewId && add(p.comment)),
    channel.on("review:status", async (p) => {
      if (p.reviewId !== reviewId) return;
      view = await client.request("GET", `/api/reviews/${reviewId}`);
      render();
    }),
  ];
  return () => {
    offs.forEach((off) => off());
    if (channel.connected) void channel.call("review:unsubscribe", { reviewId: reviewId! }).catch(() => undefined);
  };
}
