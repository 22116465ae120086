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

function byteSize(value: unknown, seen = 0): number {
  if (value instanceof Uint8Array || Buffer.isBuffer(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + byteSize(v), 2);
  if (value && typeof value === "object") {
    let n = 2;
    for (const [k, v] of Object.entries(value)) n += k.length + 4 + byteSize(v);
    return n;
  }
  if (typeof value === "string") return Buffer.byteLength(value) + 2;
  return seen + 8;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Size, shape and schema checks of one payload; a payload nested too deeply to walk is invalid, not an error. */
function validate(schema: z.ZodType, payload: unknown): unknown {
  try {
    if (byteSize(payload) > MAX_MESSAGE_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", "message over 1 MB");
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

/**
 * Registers handlers on a socket behind the one wrapper that does rate limiting, payload validation,
 * permissions-fresh context, error-to-ack mapping and metrics for every event.
 */
export function attachHandlers(socket: AppSocket, handlers: EventHandler[], deps: WrapperDeps, allow: () => boolean) {
  const { access, metrics, logger, inflight } = deps;
  const known = new Set<string>(handlers.map((h) => h.event));

  socket.onAny((event: unknown) => {
    if (typeof event !== "string" || !known.has(event)) metrics.eventsTotal.inc({ event: "unknown", outcome: "ignored" });
  });

  for (const handler of handlers) {
    const listener = (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === "function" ? (last as (r: unknown) => void) : undefined;
      // an event sent with only an ack carries no payload: treat it as {} (required fields still fail)
      const payload = (ack ? args.slice(0, -1) : args)[0] ?? {};
      const endTimer = metrics.ackDuration.startTimer({ event: handler.event });
      const work = (async () => {
        try {
          if (!allow()) throw new AppError("RATE_LIMITED", "too many events, slow down");
          if (args.length > (ack ? 2 : 1)) throw new AppError("INVALID_PAYLOAD", "send one payload object");
          const input = validate(handler.schema, payload);
          const userId = socket.data.userId;
          const ctx: HandlerContext = {
            socket,
            userId,
            access: await access.requireToken({ sub: userId, ep: socket.data.epoch }),
          };
          const result = await handler.run(input as never, ctx);
          metrics.eventsTotal.inc({ event: handler.event, outcome: "ok" });
          ack?.({ ok: true, ...result });
        } catch (err) {
          const response = toAckError(err);
          metrics.eventsTotal.inc({ event: handler.event, outcome: response.error.code });
          if (response.error.code === "INTERNAL") {
            logger.error({ err, event: handler.event, socketId: socket.id }, "event handler failed");
          }
          ack?.(response);
        } finally {
          endTimer();
        }
      })();
      inflight.add(work);
    };
    socket.on(handler.event, listener as never);
  }
}
