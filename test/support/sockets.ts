/** Real socket.io-client sockets and typed helpers around the contract's event map. */
import { io as ioClient, type Socket } from "socket.io-client";
import type { AckFailure, ClientToServerEvents, ServerToClientEvents } from "./contract.js";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

type ClientEvent = keyof ClientToServerEvents;
type ServerEvent = keyof ServerToClientEvents;

/** What a client sends with event `E`. */
export type Payload<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
type ContractAck<E extends ClientEvent> = Parameters<NonNullable<Parameters<ClientToServerEvents[E]>[1]>>[0];
/** The successful ack of event `E`: `{ ok: true, ...data }`. */
export type OkAckOf<E extends ClientEvent> = Exclude<ContractAck<E>, AckFailure>;
/**
 * The ack the server answers event `E` with: the success (whose `error` reads as undefined, so `ack.error?.code`
 * needs no narrowing) or `{ ok: false, error }`.
 */
export type AckOf<E extends ClientEvent> = (OkAckOf<E> & { error?: undefined }) | AckFailure;
/** What the server answers any event with, for payloads outside the contract (see `emitRaw`). */
export interface RawAck {
  ok: boolean;
  error?: { code: string; message: string };
  [field: string]: unknown;
}
/** What the server sends with event `E`. */
export type ServerPayload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

const ACK_TIMEOUT_MS = 10_000;

/**
 * Connects a real socket.io-client socket and resolves once connected. The client's default transports
 * (long-polling, then the upgrade to WebSocket) unless `transports` says otherwise.
 */
export function connect(
  node: { url: string } | string,
  token: string | undefined,
  opts: { reconnection?: boolean; transports?: ("polling" | "websocket")[] } = {},
): Promise<ClientSocket> {
  const url = typeof node === "string" ? node : node.url;
  const socket: ClientSocket = ioClient(url, {
    auth: token === undefined ? {} : { token },
    ...(opts.transports ? { transports: opts.transports } : {}),
    reconnection: opts.reconnection ?? false,
    forceNew: true,
    timeout: 10_000,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** The sockets a test file opens (with `connect`), kept to be closed together in its afterAll. */
export class OpenedSockets {
  private readonly sockets: ClientSocket[] = [];

  /** `connect`, keeping the socket to close later. */
  async connect(...args: Parameters<typeof connect>): Promise<ClientSocket> {
    return this.keep(await connect(...args));
  }

  /** Keeps a socket opened elsewhere to close later. */
  keep(socket: ClientSocket): ClientSocket {
    this.sockets.push(socket);
    return socket;
  }

  /** Closes every kept socket. */
  closeAll(): void {
    for (const s of this.sockets) s.close();
  }
}

/**
 * The socket without its event map: what travels is untyped; the helpers below give it the contract's types at
 * their signatures, so tests need no casts.
 */
const wire = (socket: ClientSocket): Socket => socket;

/** Emits `event` with `payload` and resolves with its ack (rejects when none comes within 10 s). */
export function emitAck<E extends ClientEvent>(socket: ClientSocket, event: E, payload: Payload<E>): Promise<AckOf<E>> {
  return wire(socket).timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
}

/** The success of an ack, for a test that goes on to read it; any other answer throws with its error. */
export function okAck<A extends { ok: boolean; error?: unknown }>(ack: A): Extract<A, { ok: true }> {
  if (!isOk(ack)) throw new Error(`expected an ok ack, got ${JSON.stringify(ack)}`);
  return ack;
}
const isOk = <A extends { ok: boolean }>(ack: A): ack is Extract<A, { ok: true }> => ack.ok;

/** `emitAck` for a test that needs the success: resolves with it, rejects with the error of any other answer. */
export async function emitOk<E extends ClientEvent>(socket: ClientSocket, event: E, payload: Payload<E>): Promise<OkAckOf<E>> {
  return okAck(await emitAck(socket, event, payload));
}

/**
 * Emits what the contract does not allow — an unknown event, a malformed payload, extra or missing arguments —
 * and resolves with whatever ack comes back: for tests of the server's refusals.
 */
export function emitRaw(socket: ClientSocket, event: string, ...args: unknown[]): Promise<RawAck> {
  return emitRawWithin(ACK_TIMEOUT_MS, socket, event, ...args);
}

/** `emitRaw` that gives up after `timeoutMs` (for events the server is expected not to answer). */
export function emitRawWithin(timeoutMs: number, socket: ClientSocket, event: string, ...args: unknown[]): Promise<RawAck> {
  return wire(socket)
    .timeout(timeoutMs)
    .emitWithAck(event, ...args);
}

/** Sends what the contract does not allow without asking for an ack. */
export function sendRaw(socket: ClientSocket, event: string, ...args: unknown[]): void {
  wire(socket).emit(event, ...args);
}

/** Resolves with the next `event` payload matching `predicate` (rejects after `timeoutMs`). */
export function nextEvent<E extends ServerEvent>(
  socket: ClientSocket,
  event: E,
  predicate: (payload: ServerPayload<E>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<ServerPayload<E>> {
  const untyped = wire(socket);
  const name: string = event;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      untyped.off(name, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: ServerPayload<E>) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      untyped.off(name, handler);
      resolve(payload);
    };
    untyped.on(name, handler);
  });
}

/** Records every `event` payload a socket receives, in order. */
export function record<E extends ServerEvent>(socket: ClientSocket, event: E): ServerPayload<E>[] {
  const seen: ServerPayload<E>[] = [];
  const name: string = event;
  wire(socket).on(name, (payload: ServerPayload<E>) => seen.push(payload));
  return seen;
}

/** Resolves with the reason once the socket is disconnected (rejects after `timeoutMs`). */
export function disconnected(socket: ClientSocket, timeoutMs = 10_000): Promise<Socket.DisconnectReason> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not disconnected within ${timeoutMs} ms`)), timeoutMs);
    socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}
