import { io, type Socket } from "socket.io-client";
import { ackError, CohortLiveError } from "./errors.js";
import type { AckBody, ClientEvent, ClientPayload, ServerEvent, ServerPayload } from "./protocol.js";

export const ACK_TIMEOUT_MS = 10_000;

type Listener = (payload: never) => void;
interface LooseSocket {
  on(event: string, fn: Listener): void;
  off(event: string, fn: Listener): void;
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> };
}

export interface ChannelOptions {
  url: string;
  /** A valid access token for each (re)connection; rejects when logged out. */
  token: () => Promise<string>;
  /** Called when the server refused the token (the channel reconnects once this resolves). */
  onUnauthorized: () => Promise<void>;
  /** Passed to socket.io-client as is (transports, etc.); the defaults suit browsers and Node. */
  socketOptions?: Record<string, unknown>;
}

/**
 * The client's one Socket.IO connection: typed calls with acks, typed event subscriptions, and the reconnection
 * cases socket.io-client leaves to the application (a refused token, a kick by the server, a draining node).
 */
export class Channel {
  readonly socket: Socket;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;

  constructor(private readonly opts: ChannelOptions) {
    this.socket = io(opts.url, {
      auth: (cb: (data: object) => void) => {
        opts.token().then(
          (token) => cb({ token }),
          () => cb({}),
        );
      },
      ...opts.socketOptions,
    });
    this.socket.on("connect", () => (this.failures = 0));
    this.socket.on("connect_error", (err: Error & { data?: { code?: string } }) => {
      if (this.socket.active || this.closed) return; // socket.io-client retries transport failures itself
      // refused by the server's middleware: socket.io-client gives up, so we retry
      if (err.data?.code === "UNAUTHORIZED")
        this.opts.onUnauthorized().then(
          () => this.retry(0),
          () => undefined,
        );
      else this.retry();
    });
    this.socket.on("disconnect", (reason: string) => {
      // "io server disconnect": the server closed this connection (expired access, a revocation): not retried by socket.io-client
      if (reason === "io server disconnect" && !this.closed)
        this.opts.onUnauthorized().then(
          () => this.retry(0),
          () => undefined,
        );
    });
    this.on("server:draining", () => {
      // the node is shutting down: reconnect now (to another node behind a balancer, or this one once it is back)
      this.socket.disconnect();
      this.retry(250 + Math.random() * 500);
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  private retry(delayMs = Math.min(30_000, 500 * 2 ** this.failures++)) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, delayMs);
  }

  /** Emits `event` and resolves with its ack body; rejects with CohortLiveError on a refusal, a timeout or no connection. */
  async call<E extends ClientEvent>(event: E, payload: ClientPayload<E>, timeoutMs = ACK_TIMEOUT_MS): Promise<AckBody<E>> {
    // never buffer while offline: what is sent after a reconnect must follow the re-join
    if (!this.socket.connected) throw new CohortLiveError(0, "NETWORK", "not connected");
    let res: { ok: boolean; error?: { code: never; message: string } };
    try {
      res = (await (this.socket as unknown as LooseSocket).timeout(timeoutMs).emitWithAck(event, payload)) as typeof res;
    } catch (err) {
      throw new CohortLiveError(0, "NETWORK", err instanceof Error ? err.message : "no acknowledgement");
    }
    if (!res.ok) throw ackError(res.error ?? { code: "INTERNAL" as never, message: "refused" });
    return res as unknown as AckBody<E>;
  }

  /** Subscribes to a server event; returns the unsubscribe function. */
  on<E extends ServerEvent>(event: E, fn: (payload: ServerPayload<E>) => void): () => void {
    const s = this.socket as unknown as LooseSocket;
    s.on(event, fn as Listener);
    return () => s.off(event, fn as Listener);
  }

  /** Subscribes to (re)connections. */
  onConnect(fn: () => void): () => void {
    this.socket.on("connect", fn);
    return () => this.socket.off("connect", fn);
  }

  onDisconnect(fn: () => void): () => void {
    this.socket.on("disconnect", fn);
    return () => this.socket.off("disconnect", fn);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }
}
