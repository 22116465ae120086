import { z } from "zod";
import type { AccessService, UserAccess } from "../identity/access.js";
import { AppError, toAckError } from "../errors.js";
import { parse } from "../http/validate.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { clientEventTable, type ClientEventName, type ClientEvents } from "../contract/index.js";
import type { AppSocket } from "./types.js";

/** Socket.IO messages may be up to 1 MB (the transport allows a little more so we can answer 413). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface HandlerContext {
  socket: AppSocket;
  userId: string;
  /** Fresh from the (invalidated-on-change) access cache: permissions come from the database. */
  access: UserAccess;
}

/** What a handler of event E receives (parsed by the contract's payload schema) and returns (the ack's fields). */
export type EventInput<E extends ClientEventName> = z.output<ClientEvents[E]["payload"]>;
export type EventResult<E extends ClientEventName> = z.output<ClientEvents[E]["ack"]>;

export interface EventHandler<E extends ClientEventName = ClientEventName> {
  event: E;
  schema: z.ZodType;
  run: (input: never, ctx: HandlerContext) => Promise<EventResult<E>>;
}

/** Implements one client event of the contract; its payload schema comes from the contract, the wrapper does the rest. */
export function defineHandler<E extends ClientEventName>(
  event: E,
  run: (input: EventInput<E>, ctx: HandlerContext) => Promise<EventResult<E>>,
): EventHandler<E> {
  return { event, schema: clientEventTable[event].payload, run: run as EventHandler<E>["run"] };
}

/**
 * An upper bound of a payload's size as JSON (binary counted as its bytes), stopping as soon as it passes
 * `limit`. Loops instead of Object.entries/reduce: it runs on every event and should allocate nothing.
 */
function byteSize(value: unknown, limit: number, depth = 0): number {
  if (depth > 512) throw new RangeError("nested too deeply");
  if (typeof value === "string") return value.length * 3 + 2;
  if (value === null || typeof value !== "object") return 8;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
  let n = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && n <= limit; i++) n += byteSize(value[i], limit - n, depth + 1) + 1;
    return n;
  }
  for (const k in value) {
    if (n > limit) break;
    if (Object.hasOwn(value, k)) n += k.length * 3 + 4 + byteSize((value as Record<string, unknown>)[k], limit - n, depth + 1);
  }
  return n;
}

/** The exact size of strings, counted only when the cheap bound is over the limit (UTF-8 may be up to 3 bytes a unit). */
function exactByteSize(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value) + 2;
  if (value === null || typeof value !== "object") return 8;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
  let n = 2;
  if (Array.isArray(value)) {
    for (const v of value) n += exactByteSize(v) + 1;
    return n;
  }
  for (const k in value)
    if (Object.hasOwn(value, k)) n += Buffer.byteLength(k) + 4 + exactByteSize((value as Record<string, unknown>)[k]);
  return n;
}

const isOverLimit = (payload: unknown) =>
  byteSize(payload, MAX_MESSAGE_BYTES) > MAX_MESSAGE_BYTES && exactByteSize(payload) > MAX_MESSAGE_BYTES;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Size, shape and schema checks of one payload; a payload nested too deeply to walk is invalid, not an error. */
function validate(schema: z.ZodType, payload: unknown): unknown {
  try {
    if (isOverLimit(payload)) throw new AppError("PAYLOAD_TOO_LARGE", "message over 1 MB");
    // every event takes a JSON object; zod's z.object would also accept a Buffer or other class instance
    if (!isPlainObject(payload)) throw new AppError("INVALID_PAYLOAD", "the payload must be a JSON object");
    return parse(schema, payload);
  } catch (err) {
    if (err instanceof RangeError) throw new AppError("INVALID_PAYLOAD", "the payload is nested too deeply");
    throw err;
  }
}

/** Per-socket token bucket: `rate` events a second, bursts up to twice that. */
export function createTokenBucket(rate: number) {
  const capacity = rate * 2;
  let tokens = capacity;
  let last = Date.now();
  return () => {
    if (rate <= 0) return true;
    const now = Date.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * rate);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

export interface WrapperDeps {
  access: AccessService;
  metrics: Metrics;
  logger: Logger;
  /** Tracks in-flight acks so shutdown can wait for them. */
  inflight: { add(p: Promise<unknown>): void };
}

/** A handler with its metric series resolved once (a label lookup hashes the labels on every call). */
interface PreparedHandler {
  handler: EventHandler;
  ackDuration: { observe(seconds: number): void };
  ok: { inc(): void };
}

/**
 * The one wrapper every event goes through: rate limiting, payload validation, a permissions-fresh context,
 * error-to-ack mapping and metrics. Prepared once per server; `attach` registers it on each new socket.
 */
export function createEventWrapper(handlers: EventHandler[], deps: WrapperDeps) {
  const { access, metrics, logger, inflight } = deps;
  const unknown = metrics.eventsTotal.labels({ event: "unknown", outcome: "ignored" });
  const prepared: PreparedHandler[] = handlers.map((handler) => ({
    handler,
    ackDuration: metrics.ackDuration.labels({ event: handler.event }),
    ok: metrics.eventsTotal.labels({ event: handler.event, outcome: "ok" }),
  }));

  async function run(p: PreparedHandler, socket: AppSocket, allow: () => boolean, args: unknown[], ack: Ack | undefined) {
    const started = performance.now();
    const { handler } = p;
    try {
      if (!allow()) throw new AppError("RATE_LIMITED", "too many events, slow down");
      if (args.length > (ack ? 2 : 1)) throw new AppError("INVALID_PAYLOAD", "send one payload object");
      // an event sent with only an ack carries no payload: treat it as {} (required fields still fail)
      const payload = (ack && args.length === 1 ? undefined : args[0]) ?? {};
      const input = validate(handler.schema, payload);
      const userId = socket.data.userId;
      const result = await handler.run(input as never, { socket, userId, access: await access.require(userId) });
      p.ok.inc();
      ack?.(result === EMPTY ? OK : { ok: true, ...result });
    } catch (err) {
      const response = toAckError(err);
      metrics.eventsTotal.inc({ event: handler.event, outcome: response.error.code });
      if (response.error.code === "INTERNAL")
        logger.error({ err, event: handler.event, socketId: socket.id }, "event handler failed");
      ack?.(response);
    } finally {
      p.ackDuration.observe((performance.now() - started) / 1000);
    }
  }

  const byEvent = new Map(prepared.map((p) => [p.handler.event as string, p]));

  return {
    /** One listener per socket for every event (a listener per event and socket costs memory on idle sockets). */
    attach(socket: AppSocket, allow: () => boolean) {
      socket.onAny((event: unknown, ...args: unknown[]) => {
        const p = typeof event === "string" ? byEvent.get(event) : undefined;
        if (!p) return unknown.inc();
        const last = args[args.length - 1];
        inflight.add(run(p, socket, allow, args, typeof last === "function" ? (last as Ack) : undefined));
      });
    },
  };
}

type Ack = (response: unknown) => void;

/** What a handler returns when its ack has no fields: answered with one shared `{ ok: true }`. */
export const EMPTY = Object.freeze({}) as Record<string, never>;
const OK = Object.freeze({ ok: true });
