import type { ChatMessage, PresenceUser } from "cohort-live/client";
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { attempt, client, myCohortRole } from "../app.js";
import { userColor } from "../colors.js";
import { fill, h, time } from "../dom.js";
import { createEditor } from "../editor.js";

/** A live session: the shared editor, who is here, the chat, and the mentor's start/end. */
export async function sessionPage(main: HTMLElement, [sessionId]: string[]): Promise<() => void> {
  const me = client.user!;
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  awareness.setLocalStateField("user", { id: me.id, name: me.displayName, ...userColor(me.id) });

  const status = h("span", { id: "status", class: "status connecting" }, "connecting");
  main.append(h("p", { class: "muted" }, "Joining…"), status);
  const live = await client.joinSession(sessionId!, { doc, awareness });
  const role = await myCohortRole(live.session.cohortId).catch(() => null);
  main.replaceChildren();

  const title = h("h1", {});
  const sessionStatus = h("span", { id: "session-status", class: "status" });
  const controls = h("div", { class: "controls" });
  const editorHost = h("div", { id: "editor", class: "editor" });
  const presence = h("ul", { id: "presence", class: "list presence" });
  const chatLog = h("ol", { id: "chat-log", class: "chat" });
  const chatInput = h("input", { name: "body", placeholder: "Message", autocomplete: "off", maxlength: 2000, required: true });
  const chatForm = h(
    "form",
    {
      id: "chat-form",
      class: "chat-form",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const body = chatInput.value.trim();
        if (!body) return;
        chatInput.value = "";
        await attempt(() => live.sendChat(body));
      },
    },
    chatInput,
    h("button", { type: "submit" }, "Send"),
  );

  const renderSession = () => {
    title.textContent = live.session.title;
    sessionStatus.textContent = live.session.status;
    sessionStatus.className = `status ${live.session.status}`;
    const canChange = role === "mentor" || live.session.hostId === me.id;
    const act = (action: "start" | "end") => () =>
      void attempt(() => client.request("POST", `/api/sessions/${sessionId}/${action}`));
    fill(
      controls,
      canChange &&
        live.session.status === "scheduled" &&
        h("button", { id: "start", type: "button", onclick: act("start") }, "Start session"),
      canChange &&
        live.session.status !== "ended" &&
        h("button", { id: "end", type: "button", class: "danger", onclick: act("end") }, "End session"),
      live.session.status !== "live" &&
        h(
          "span",
          { class: "muted" },
          live.session.status === "ended" ? " This session has ended." : " Editing opens when the mentor starts the session.",
        ),
    );
    editor.setEditable(live.session.status === "live");
  };
  const renderPresence = (users: PresenceUser[]) =>
    fill(
      presence,
      ...[...users]
        .sort((a, b) => a.displayName.localeCompare(b.displayName))
        .map((u) =>
          h(
            "li",
            { "data-user": u.userId },
            h("span", { class: "dot", style: `background:${userColor(u.userId).color}` }),
            u.displayName,
            u.userId === me.id ? " (you)" : "",
            h("small", { class: "muted" }, ` ${u.role}`),
          ),
        ),
    );
  const addChat = (m: ChatMessage) => {
    chatLog.append(
      h(
        "li",
        {},
        h("strong", { style: `color:${userColor(m.author.id).color}` }, m.author.displayName),
        " ",
        m.body,
        h("small", { class: "muted" }, ` ${time(m.createdAt)}`),
      ),
    );
    chatLog.scrollTop = chatLog.scrollHeight;
  };
  const renderStatus = () => {
    status.textContent = live.status;
    status.className = `status ${live.status}`;
  };

  main.append(
    h(
      "div",
      { class: "session-head" },
      title,
      sessionStatus,
      status,
      controls,
      h("a", { id: "replay-link", href: `/sessions/${sessionId}/replay` }, "Replay the history"),
    ),
    h(
      "div",
      { class: "session" },
      editorHost,
      h("aside", {}, h("h2", {}, "Here now"), presence, h("h2", {}, "Chat"), chatLog, chatForm),
    ),
  );
  const editor = createEditor(editorHost, doc, awareness);
  renderSession();
  renderPresence(live.presence);
  live.chat.forEach(addChat);
  renderStatus();
  const offs = [
    live.events.on("session", renderSession),
    live.events.on("presence", renderPresence),
    live.events.on("chat", addChat),
    live.events.on("status", renderStatus),
    live.events.on("error", (err) => attempt(() => Promise.reject(err))),
  ];
  return () => {
    offs.forEach((off) => off());
    void live.leave();
    editor.view.destroy();
    awareness.destroy();
    doc.destroy();
  };
}
