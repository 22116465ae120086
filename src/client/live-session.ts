import * as Y from "yjs";
import { applyAwarenessUpdate, removeAwarenessStates, type Awareness } from "y-protocols/awareness";
import { encodeAwarenessEntries } from "./awareness-codec.js";
import { toUint8Array } from "./binary.js";
import type { Channel } from "./channel.js";
import { Emitter } from "./emitter.js";
import { CohortLiveError } from "./errors.js";
import type { ChatMessage, PresenceUser, ServerPayload, Session } from "./protocol.js";
import { uuidV4 } from "./uuid.js";

export type LiveStatus = "connecting" | "synced" | "offline";

export interface LiveSessionEvents extends Record<string, unknown> {
  status: LiveStatus;
  session: Session;
  presence: PresenceUser[];
  chat: ChatMessage;
  /** An update or event the server refused for good (e.g. FORBIDDEN once the session ended). */
  error: CohortLiveError;
}

export interface JoinOptions {
  doc: Y.Doc;
  /** A y-protocols Awareness of `doc`: its local state is sent, remote states are set keyed by their clientID. */
  awareness?: Awareness;
}

/** Errors worth retrying while connected; others drop the update (and are reported as `error`). */
const TRANSIENT = new Set(["NETWORK", "RATE_LIMITED", "UNAVAILABLE", "INTERNAL"]);
const AWARENESS_INTERVAL_MS = 100;
const EMPTY_UPDATE_BYTES = 2;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A joined live session bound to a Y.Doc (and optionally an Awareness): local updates are sent in order and
 * retried until acknowledged, remote ones applied with this object as origin (so they are not sent back), and
 * after every (re)connection it re-joins, catches up with `doc:sync` and sends what the server lacks.
 */
export class LiveSession {
  status: LiveStatus = "connecting";
  session!: Session;
  presence: PresenceUser[] = [];
  readonly chat: ChatMessage[] = [];
  readonly events = new Emitter<LiveSessionEvents>();
  /** Remote Awareness clientIDs → the user each belongs to. */
  readonly remoteClients = new Map<number, string>();

  private readonly doc: Y.Doc;
  private readonly awareness?: Awareness;
  private pending: Uint8Array[] = [];
  private sending = false;
  private generation = 0;
  private left = false;
  private awarenessTimer: ReturnType<typeof setTimeout> | undefined;
  private lastAwarenessSent = 0;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly channel: Channel,
    readonly sessionId: string,
    opts: JoinOptions,
    private readonly onLeave: (live: LiveSession) => void,
  ) {
    this.doc = opts.doc;
    this.awareness = opts.awareness;
    const mine =
      <T extends { sessionId: string }>(fn: (p: T) => void) =>
      (p: T) => {
        if (p.sessionId === sessionId && !this.left) fn(p);
      };
    this.unsubscribe.push(
      channel.on(
        "doc:update",
        mine((p) => Y.applyUpdate(this.doc, toUint8Array(p.update), this)),
      ),
      channel.on(
        "awareness:update",
        mine((p) => this.applyRemoteAwareness(p)),
      ),
      channel.on(
        "presence:joined",
        mine((p) => this.setPresence([...this.presence.filter((u) => u.userId !== p.user.userId), p.user])),
      ),
      channel.on(
        "presence:left",
        mine((p) => this.onUserLeft(p.userId)),
      ),
      channel.on(
        "chat:message",
        mine((p) => this.addChat([p.message])),
      ),
      channel.on(
        "session:status",
        mine((p) => this.setSession({ ...this.session, status: p.status })),
      ),
      channel.onConnect(() => void this.resync().catch((err: unknown) => this.report(err))),
      channel.onDisconnect(() => this.goOffline()),
    );
    const onDocUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin === this || this.left) return;
      this.pending.push(update);
      void this.flush();
    };
    this.doc.on("update", onDocUpdate);
    this.unsubscribe.push(() => this.doc.off("update", onDocUpdate));
    if (this.awareness) {
      const aw = this.awareness;
      const onAwareness = (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        if (origin === this) return;
        if ([...changes.added, ...changes.updated, ...changes.removed].includes(aw.clientID)) this.scheduleAwareness();
      };
      aw.on("update", onAwareness);
      this.unsubscribe.push(() => aw.off("update", onAwareness));
    }
  }

  /** Joins (or re-joins) and catches up: the join ack's state, then doc:sync both ways. */
  async resync(): Promise<void> {
    if (this.left || !this.channel.connected) return;
    const gen = ++this.generation;
    this.setStatus("connecting");
    const ack = await this.channel.call("session:join", { sessionId: this.sessionId });
    if (gen !== this.generation || this.left) return;
    Y.applyUpdate(this.doc, toUint8Array(ack.state), this);
    this.setSession(ack.session);
    this.setPresence(ack.presence);
    await this.catchUpChat(ack.chat, gen);
    if (gen !== this.generation || this.left) return;
    this.replaceRemoteAwareness(ack.awareness);
    const sync = await this.channel.call("doc:sync", { sessionId: this.sessionId, stateVector: Y.encodeStateVector(this.doc) });
    if (gen !== this.generation || this.left) return;
    Y.applyUpdate(this.doc, toUint8Array(sync.update), this);
    // everything not yet acknowledged (queued offline, or in flight when the connection dropped) is in this diff
    const missing = Y.encodeStateAsUpdate(this.doc, toUint8Array(sync.stateVector));
    this.pending = missing.byteLength > EMPTY_UPDATE_BYTES ? [missing] : [];
    this.setStatus("synced");
    this.scheduleAwareness();
    void this.flush();
  }

  /** Resolves once every local update made so far is acknowledged (stored by the server). */
  async flushed(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.length > 0 || this.sending) {
      if (Date.now() > deadline) throw new CohortLiveError(0, "NETWORK", "updates not acknowledged in time");
      await sleep(20);
    }
  }

  /** Sends a chat message (retried with the same clientId, so it is stored once) and resolves with it. */
  async sendChat(body: string): Promise<ChatMessage> {
    const clientId = uuidV4();
    for (let attempt = 0; ; attempt++) {
      try {
        const { message } = await this.channel.call("chat:send", { sessionId: this.sessionId, body, clientId });
        this.addChat([message]);
        return message;
      } catch (err) {
        if (!(err instanceof CohortLiveError) || !TRANSIENT.has(err.code) || attempt >= 5 || this.left) throw err;
        await sleep(300 * 2 ** attempt);
      }
    }
  }

  /** Leaves the session: the others see this tab's presence and cursor go; the doc keeps its content. */
  async leave(): Promise<void> {
    if (this.left) return;
    this.generation++;
    this.left = true;
    clearTimeout(this.awarenessTimer);
    for (const off of this.unsubscribe) off();
    this.clearRemoteAwareness();
    this.setStatus("offline");
    this.onLeave(this);
    if (this.channel.connected) await this.channel.call("session:leave", { sessionId: this.sessionId }).catch(() => undefined);
    this.events.clear();
  }

  private async flush(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    let failures = 0;
    try {
      while (this.pending.length > 0 && this.status === "synced" && !this.left) {
        const gen = this.generation;
        const count = this.pending.length;
        const update = count === 1 ? this.pending[0]! : Y.mergeUpdates(this.pending);
        try {
          await this.channel.call("doc:update", { sessionId: this.sessionId, update });
          if (gen === this.generation) this.pending.splice(0, count);
          failures = 0;
        } catch (err) {
          if (gen !== this.generation) continue; // a re-join replaced the queue with the server's diff
          if (err instanceof CohortLiveError && TRANSIENT.has(err.code)) {
            await sleep(Math.min(5_000, 200 * 2 ** failures++));
            continue;
          }
          this.pending.splice(0, count);
          this.report(err);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private scheduleAwareness() {
    if (!this.awareness || this.awarenessTimer || this.left) return;
    const wait = Math.max(0, this.lastAwarenessSent + AWARENESS_INTERVAL_MS - Date.now());
    this.awarenessTimer = setTimeout(() => {
      this.awarenessTimer = undefined;
      this.sendAwareness();
    }, wait);
  }

  private sendAwareness() {
    const aw = this.awareness;
    if (!aw || this.status !== "synced" || this.session.status !== "live") return;
    this.lastAwarenessSent = Date.now();
    const state = aw.getLocalState();
    this.channel.call("awareness:update", { sessionId: this.sessionId, state, clientId: aw.clientID }).catch(() => undefined);
  }

  private applyRemoteAwareness(entry: { userId: string; clientId: number | null; state: unknown }) {
    const aw = this.awareness;
    if (!aw || entry.clientId === null || entry.clientId === aw.clientID) return;
    const clock = (aw.meta.get(entry.clientId)?.clock ?? 0) + 1;
    applyAwarenessUpdate(aw, encodeAwarenessEntries([{ clientId: entry.clientId, clock, state: entry.state }]), this);
    if (entry.state === null) this.remoteClients.delete(entry.clientId);
    else this.remoteClients.set(entry.clientId, entry.userId);
  }

  private replaceRemoteAwareness(
    list: ServerPayload<"awareness:update">[] | { userId: string; clientId: number | null; state: unknown }[],
  ) {
    const keep = new Set(list.map((e) => e.clientId));
    const gone = [...this.remoteClients.keys()].filter((id) => !keep.has(id));
    this.removeRemote(gone);
    for (const e of list) this.applyRemoteAwareness(e);
  }

  private removeRemote(ids: number[]) {
    for (const id of ids) this.remoteClients.delete(id);
    if (this.awareness && ids.length > 0) removeAwarenessStates(this.awareness, ids, this);
  }

  private clearRemoteAwareness() {
    this.removeRemote([...this.remoteClients.keys()]);
  }

  private onUserLeft(userId: string) {
    this.setPresence(this.presence.filter((u) => u.userId !== userId));
    this.removeRemote([...this.remoteClients].filter(([, uid]) => uid === userId).map(([id]) => id));
  }

  private goOffline() {
    if (this.left) return;
    this.generation++;
    this.clearRemoteAwareness();
    this.setStatus("offline");
  }

  private setStatus(status: LiveStatus) {
    if (this.status === status) return;
    this.status = status;
    this.events.emit("status", status);
  }

  private setSession(session: Session) {
    this.session = session;
    this.events.emit("session", session);
  }

  private setPresence(presence: PresenceUser[]) {
    this.presence = presence;
    this.events.emit("presence", presence);
  }

  /** Adds the join's newest messages, and first what came between the last one this page saw and them. */
  private async catchUpChat(newest: ChatMessage[], gen: number) {
    const last = this.chat[this.chat.length - 1]?.id;
    const known = new Set(this.chat.map((m) => m.id));
    // the newest ones overlap what we have (or there was nothing before): no gap to fill
    let cursor = last && !newest.some((m) => known.has(m.id)) ? last : undefined;
    for (let page = 0; cursor !== undefined && page < 20 && gen === this.generation; page++) {
      const { messages }: { messages: ChatMessage[] } = await this.channel.call("chat:history", {
        sessionId: this.sessionId,
        after: cursor,
        limit: 200,
      });
      this.addChat(messages);
      cursor = messages.length === 200 ? messages[messages.length - 1]!.id : undefined;
    }
    this.addChat(newest);
  }

  private addChat(messages: ChatMessage[]) {
    const known = new Set(this.chat.map((m) => m.id));
    const fresh = messages.filter((m) => !known.has(m.id));
    if (fresh.length === 0) return;
    this.chat.push(...fresh);
    this.chat.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1));
    for (const m of fresh) this.events.emit("chat", m);
  }

  private report(err: unknown) {
    if (err instanceof CohortLiveError) this.events.emit("error", err);
  }
}
