import { Channel } from "./channel.js";
import { Emitter } from "./emitter.js";
import { CohortLiveError } from "./errors.js";
import { LiveSession, type JoinOptions } from "./live-session.js";
import type { AuthResult, BodyOf, DocumentAuthor, HistoryItem, HttpMethod, Notification, ResponseOf, User } from "./protocol.js";
import { MemoryStorage, type StorageLike } from "./storage.js";
import { TokenKeeper } from "./tokens.js";

export interface CohortLiveClientOptions {
  /** Any node's base URL, e.g. `https://live.example.com` (no trailing `/api`). */
  url: string;
  /** Where the tokens are kept: `localStorage` shares a login between tabs. Default: memory (this client only). */
  storage?: StorageLike;
  /** Extra socket.io-client options (e.g. `{ transports: ["websocket"] }`); the defaults suit browsers and Node. */
  socketOptions?: Record<string, unknown>;
}

interface ClientEvents extends Record<string, unknown> {
  notification: Notification;
  /** The login ended (logout, or a refresh the server refused): log in again. */
  logout: undefined;
}

const SEEN_LIMIT = 500;

/** The cohort-live client: accounts, REST, live sessions over Socket.IO, notifications. */
export class CohortLiveClient {
  readonly url: string;
  readonly events = new Emitter<ClientEvents>();
  private readonly tokens: TokenKeeper;
  private channel: Channel | null = null;
  private readonly live = new Set<LiveSession>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastNotificationId: string | undefined;
  private readonly seenNotifications = new Set<string>();
  private connectedOnce = false;

  constructor(private readonly options: CohortLiveClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    const storage = options.storage ?? new MemoryStorage();
    this.tokens = new TokenKeeper(storage, `cohort-live:${this.url}:auth`, `cohort-live:${this.url}:refresh`, (path, body) =>
      fetch(this.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    );
    if (this.tokens.read()) this.scheduleRefresh();
  }

  /** The logged-in user (null when logged out). */
  get user(): User | null {
    return this.tokens.read()?.user ?? null;
  }

  async register(input: { email: string; password: string; displayName: string }): Promise<User> {
    return this.authenticate("/api/auth/register", input);
  }

  async login(input: { email: string; password: string }): Promise<User> {
    return this.authenticate("/api/auth/login", input);
  }

  /** Ends the login on the server and here; closes the connection. */
  async logout(): Promise<void> {
    const stored = this.tokens.read();
    if (stored) await this.send("POST", "/api/auth/logout", { refreshToken: stored.refreshToken }, null).catch(() => undefined);
    this.tokens.clear();
    await this.disconnect();
    this.events.emit("logout", undefined);
  }

  /** Rotates the tokens now (one refresh at a time across the tabs sharing the storage). */
  async refreshTokens(): Promise<void> {
    await this.tokens.refresh(true).catch((err: unknown) => this.loggedOutOn(err));
    this.afterRefresh();
  }

  /**
   * Any REST route, with the access token (refreshed first when needed; a 401 is retried once after a refresh).
   * Resolves with the JSON body (undefined for 204), typed from the contract when `method` and `path` name one of
   * its routes (`/api/cohorts/${id}` included); a non-2xx throws CohortLiveError {status, code, message}.
   */
  async request<M extends HttpMethod, P extends string>(method: M, path: P, body?: BodyOf<M, P>): Promise<ResponseOf<M, P>> {
    type T = ResponseOf<M, P>;
    const token = this.tokens.read() ? await this.tokens.accessToken().catch((err: unknown) => this.loggedOutOn(err)) : null;
    try {
      return await this.send<T>(method, path, body, token);
    } catch (err) {
      if (!(err instanceof CohortLiveError) || err.status !== 401 || !token) throw err;
      await this.refreshTokens();
      return this.send<T>(method, path, body, await this.tokens.accessToken());
    }
  }

  /**
   * A session document's whole history, oldest first (every page, `pageSize` items at a time): applied in order
   * to an empty Y.Doc (`Y.applyUpdate(doc, fromBase64(item.update))`), the updates give the document.
   */
  async sessionHistory(sessionId: string, opts: { pageSize?: number } = {}): Promise<HistoryItem[]> {
    const items: HistoryItem[] = [];
    let after: string | null = null;
    do {
      const query: string = `limit=${opts.pageSize ?? 500}${after ? `&after=${encodeURIComponent(after)}` : ""}`;
      const page = await this.request("GET", `/api/sessions/${sessionId}/history?${query}`);
      items.push(...page.updates);
      after = page.updates.length > 0 ? page.nextCursor : null;
    } while (after);
    return items;
  }

  /** Who edited a session's document: each author, their number of updates and the time of the last one. */
  async sessionAuthors(sessionId: string): Promise<DocumentAuthor[]> {
    return (await this.request("GET", `/api/sessions/${sessionId}/authors`)).authors;
  }

  /** Joins a live session bound to `doc` (and `awareness`); resolves once `doc` holds the session's document. */
  async joinSession(sessionId: string, opts: JoinOptions): Promise<LiveSession> {
    const channel = this.connect();
    const live = new LiveSession(channel, sessionId, opts, (l) => this.live.delete(l));
    this.live.add(live);
    try {
      if (channel.connected) await live.resync();
      else {
        // the join runs from the session's connect listener: wait for it to finish or fail
        await new Promise<void>((resolve, reject) => {
          const offs = [
            live.events.on("status", (s) => s === "synced" && (offs.forEach((off) => off()), resolve())),
            live.events.on("error", (err) => (offs.forEach((off) => off()), reject(err))),
          ];
        });
      }
      return live;
    } catch (err) {
      await live.leave();
      throw err;
    }
  }

  /** Live notifications (connects if needed); returns the function that stops listening. */
  onNotification(listener: (n: Notification) => void): () => void {
    this.connect();
    return this.events.on("notification", listener);
  }

  /** Catches up: every notification after the last one seen (the unread ones the first time), oldest first. */
  async syncNotifications(): Promise<Notification[]> {
    const channel = this.connect();
    if (!channel.connected)
      await new Promise<void>((resolve) => {
        const off = channel.onConnect(() => (off(), resolve()));
      });
    const all: Notification[] = [];
    for (;;) {
      const { items, nextCursor } = await channel.call(
        "notifications:sync",
        this.lastNotificationId ? { after: this.lastNotificationId } : {},
      );
      for (const n of items) this.deliver(n);
      all.push(...items);
      if (!nextCursor || items.length === 0) return all;
    }
  }

  /** Leaves every live session and closes the connection; the login stays in the storage. */
  async close(): Promise<void> {
    clearTimeout(this.refreshTimer);
    await this.disconnect();
  }

  /** The Socket.IO connection, opened on first use. */
  connect(): Channel {
    if (this.channel) return this.channel;
    const channel = new Channel({
      url: this.url,
      token: () => this.tokens.accessToken(),
      onUnauthorized: () => this.refreshTokens(),
      socketOptions: this.options.socketOptions,
    });
    channel.on("notification", (n) => this.deliver(n));
    channel.on("auth:expired", () => void this.refreshTokens().catch(() => undefined));
    channel.onConnect(() => {
      if (this.connectedOnce) void this.syncNotifications().catch(() => undefined);
      this.connectedOnce = true;
    });
    this.channel = channel;
    return channel;
  }

  private async disconnect() {
    await Promise.all([...this.live].map((l) => l.leave()));
    this.channel?.close();
    this.channel = null;
    this.connectedOnce = false;
  }

  private deliver(n: Notification) {
    if (this.seenNotifications.has(n.id)) return;
    this.seenNotifications.add(n.id);
    if (this.seenNotifications.size > SEEN_LIMIT) this.seenNotifications.delete(this.seenNotifications.values().next().value!);
    this.lastNotificationId = n.id;
    this.events.emit("notification", n);
  }

  private async authenticate(path: string, body: unknown): Promise<User> {
    const result = await this.send<AuthResult>("POST", path, body, null);
    await this.tokens.saveLogin(result);
    this.scheduleRefresh();
    return result.user;
  }

  /** After a refresh: the socket gets the new token, and the next refresh is scheduled. */
  private afterRefresh() {
    const token = this.tokens.read()?.accessToken;
    if (token && this.channel?.connected) this.channel.call("auth:refresh", { token }).catch(() => undefined);
    this.scheduleRefresh();
  }

  private scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    const due = this.tokens.dueIn();
    if (due === null) return;
    this.refreshTimer = setTimeout(() => void this.refreshTokens().catch(() => undefined), Math.max(1_000, due));
    (this.refreshTimer as { unref?: () => void }).unref?.();
  }

  private loggedOutOn(err: unknown): never {
    if (err instanceof CohortLiveError && err.status === 401) {
      clearTimeout(this.refreshTimer);
      this.events.emit("logout", undefined);
    }
    throw err;
  }

  private async send<T>(method: HttpMethod, path: string, body: unknown, token: string | null): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new CohortLiveError(0, "NETWORK", err instanceof Error ? err.message : "network error");
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
      throw new CohortLiveError(
        res.status,
        (e?.code ?? "INTERNAL") as CohortLiveError["code"],
        e?.message ?? res.statusText,
        e?.details,
      );
    }
    return json as T;
  }
}
