import { client } from "../app.js";
import { distinctColors } from "../colors.js";
import { fill, h, time } from "../dom.js";
import { TEXT_NAME } from "../editor.js";
import { ReplayTimeline } from "../replay-timeline.js";
import { createReplayView } from "../replay-view.js";

/** How long a whole replay takes at most, and the slowest and fastest a step may go. */
const PLAY_TOTAL_MS = 30_000;
const STEP_MAX_MS = 400;
const STEP_MIN_MS = 40;

/** A session's document history: a slider over its updates, play/pause, each update's author and insertions. */
export async function replayPage(main: HTMLElement, [sessionId]: string[]): Promise<() => void> {
  main.append(h("p", { class: "muted" }, "Loading the history…"));
  const [{ session }, history, authors] = await Promise.all([
    client.request("GET", `/api/sessions/${sessionId}`),
    client.sessionHistory(sessionId!),
    client.sessionAuthors(sessionId!),
  ]);
  main.replaceChildren();
  const names = new Map(authors.map((a) => [a.user.id, a.user.displayName]));
  const palette = distinctColors(authors.map((a) => a.user.id));
  const unknown = { color: "#868e96", colorLight: "#868e9633" };
  const colorOf = (userId: string | null) => (userId && palette.get(userId)) || unknown;
  const nameOf = (userId: string | null) =>
    userId === null ? "unknown (before authors were recorded)" : (names.get(userId) ?? "a former member");

  const legend = h(
    "ul",
    { id: "replay-authors", class: "list" },
    ...authors.map((a) =>
      h(
        "li",
        { "data-user": a.user.id, "data-updates": a.updates },
        h("span", { class: "dot", style: `background:${colorOf(a.user.id).color}` }),
        h("span", { class: "name" }, a.user.displayName),
        h("small", { class: "muted" }, ` ${a.updates} ${a.updates === 1 ? "update" : "updates"} · last ${time(a.lastAt)}`),
      ),
    ),
  );
  main.append(
    h(
      "div",
      { class: "session-head" },
      h("h1", {}, `Replay: ${session.title}`),
      h("span", { class: `status ${session.status}` }, session.status),
      h("a", { href: `/sessions/${session.id}` }, "Back to the session"),
    ),
  );
  if (history.length === 0) {
    main.append(h("p", { id: "replay-empty" }, "Nothing was typed in this session."), legend);
    return () => undefined;
  }

  const timeline = new ReplayTimeline(history, TEXT_NAME);
  const n = timeline.length;
  const slider = h("input", { id: "replay-slider", type: "range", min: 1, max: n, step: 1, value: String(n) });
  const play = h("button", { id: "replay-play", type: "button" }, "Play");
  const stepLabel = h("span", { id: "replay-step", class: "muted" });
  const when = h("time", { id: "replay-time" });
  const author = h("span", { id: "replay-author" });
  const change = h("small", { id: "replay-change", class: "muted" });
  const textHost = h("div", { id: "replay-text", class: "editor" });

  main.append(
    h(
      "div",
      { class: "replay-controls" },
      play,
      h("label", { class: "replay-slider", for: "replay-slider" }, h("span", { class: "muted" }, "Update"), slider),
      stepLabel,
    ),
    h("p", { class: "replay-info" }, when, " · ", author, " ", change),
    h("div", { class: "session" }, textHost, h("aside", {}, h("h2", {}, "Authors"), legend)),
  );
  const view = createReplayView(textHost);

  const show = (k: number) => {
    const item = history[k - 1]!;
    const step = timeline.at(k);
    const colors = colorOf(item.userId);
    view.show(step.text, step.inserted, colors, item.userId);
    slider.value = String(k);
    slider.setAttribute("aria-valuetext", `${time(item.createdAt)}, ${nameOf(item.userId)}`);
    stepLabel.textContent = `${k} / ${n}`;
    when.textContent = time(item.createdAt);
    when.dateTime = item.createdAt;
    fill(author, h("span", { class: "dot", style: `background:${colors.color}` }), nameOf(item.userId));
    author.dataset.user = item.userId ?? "";
    const inserted = step.inserted.reduce((sum, [from, to]) => sum + to - from, 0);
    change.textContent =
      [inserted && `+${inserted}`, step.deleted && `−${step.deleted}`].filter(Boolean).join(" ") || "no text change";
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const stepMs = Math.max(STEP_MIN_MS, Math.min(STEP_MAX_MS, Math.round(PLAY_TOTAL_MS / n)));
  const pause = () => {
    clearTimeout(timer);
    timer = undefined;
    play.textContent = "Play";
  };
  const tick = () => {
    const next = Number(slider.value) + 1;
    if (next > n) return pause();
    show(next);
    timer = setTimeout(tick, stepMs);
  };
  play.addEventListener("click", () => {
    if (timer !== undefined) return pause();
    play.textContent = "Pause";
    if (Number(slider.value) >= n) show(1); // at the end: play again from the first update
    timer = setTimeout(tick, stepMs);
  });
  slider.addEventListener("input", () => show(Number(slider.value)));
  show(n);

  return () => {
    clearTimeout(timer);
    view.view.destroy();
    timeline.destroy();
  };
}
