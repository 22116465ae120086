import { z } from "zod";
import { boundedBytes, limitParam, text, tooLargeIssue, uuid } from "../http/validate.js";
import { isBinary, MAX_UPDATE_BYTES, toBytes, type BinaryLike } from "./ydoc.js";

/** Largest awareness state, as JSON (1 KB). */
export const MAX_AWARENESS_BYTES = 1024;

/** Binary data (Buffer, Uint8Array or ArrayBuffer) as a Uint8Array; beyond `maxBytes` it is PAYLOAD_TOO_LARGE. */
export const binary = (maxBytes?: number) =>
  z
    .custom<BinaryLike>(isBinary, { message: "must be binary (Uint8Array, Buffer or ArrayBuffer)" })
    .superRefine((v, ctx) => {
      if (maxBytes !== undefined && v.byteLength > maxBytes) ctx.addIssue(tooLargeIssue(`must be at most ${maxBytes} bytes`));
    })
    .transform((v) => toBytes(v));

const awarenessState = z.unknown().superRefine((v, ctx) => {
  if (v === undefined) {
    ctx.addIssue({ code: "custom", message: "is required" });
    return;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(v);
  } catch {
    json = undefined;
  }
  if (json === undefined) ctx.addIssue({ code: "custom", message: "must be JSON" });
  else if (Buffer.byteLength(json) > MAX_AWARENESS_BYTES)
    ctx.addIssue(tooLargeIssue(`must be at most ${MAX_AWARENESS_BYTES} bytes of JSON`));
});

export const sessionRef = z.object({ sessionId: uuid });
export const docUpdateInput = z.object({ sessionId: uuid, update: binary(MAX_UPDATE_BYTES) });
export const docSyncInput = z.object({ sessionId: uuid, stateVector: binary() });
export const awarenessInput = z.object({ sessionId: uuid, state: awarenessState });
export const chatSendInput = z.object({ sessionId: uuid, body: text(1, 2000), clientId: uuid });
/** Over a socket `limit` is a number (or a numeric string, as in the REST query); never a boolean or an array. */
export const chatHistoryInput = z.object({
  sessionId: uuid,
  after: uuid.optional(),
  limit: z.union([z.number(), z.string()]).pipe(z.coerce.number<number | string>().int().min(1).max(200)).optional().default(50),
});

export const createSessionBody = z.object({
  title: text(1, 200),
  language: text(1, 40),
  initialCode: boundedBytes(z.string(), MAX_UPDATE_BYTES).optional(),
});
export const chatQuery = z.object({ after: uuid.optional(), limit: limitParam(200) });
/** `after` is an opaque history cursor (checked by the history itself); `limit` 1..500. */
export const historyQuery = z.object({ after: z.string().max(64).optional(), limit: limitParam(500) });
/** `at`: an ISO-8601 time (a date alone means its midnight UTC), read to the millisecond. */
export const documentQuery = z.object({
  at: z
    .union([z.iso.datetime({ offset: true }), z.iso.date()])
    .transform((s) => new Date(s))
    .refine((d) => !Number.isNaN(d.getTime()), { message: "must be a time" })
    .optional(),
});
