/**
 * The building blocks of every shape in the contract. Browser-safe: nothing here imports Node or server code,
 * so the client package validates and types with the same schemas.
 */
import { z } from "zod";

/**
 * An id is any 8-4-4-4-12 hex string (what PostgreSQL's uuid type reads, so a well-formed id that names nothing
 * is 404, not 400), lower-cased so an id in upper-case hex names the same rooms, cache entries and cursors.
 */
export const uuid = z.guid({ message: "must be a valid id" }).toLowerCase();

/** Length of a string in UTF-8 bytes, as Buffer.byteLength counts it (a lone surrogate is 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** A text field with a length range counted in characters (code points); NUL cannot be stored, so it is invalid. */
export const text = (min: number, max: number) =>
  z
    .string()
    .refine((s) => [...s].length >= min && [...s].length <= max, { message: `must be ${min}..${max} characters` })
    .refine((s) => !s.includes("\u0000"), { message: "must not contain NUL characters" })
    .meta({ minLength: min, maxLength: max });

/** `limit` query values arrive as strings. */
export const limitParam = (max: number, fallback = 50) => z.coerce.number().int().min(1).max(max).optional().default(fallback);

/** A refinement issue carrying these params turns the whole parse into PAYLOAD_TOO_LARGE (413), not INVALID_PAYLOAD. */
export const TOO_LARGE = { tooLarge: true } as const;

/** Marks a custom issue as a byte-limit violation (for binary or JSON size checks in schemas). */
export const tooLargeIssue = (message: string) => ({ code: "custom" as const, message, params: TOO_LARGE });

/** A string limited in UTF-8 bytes: beyond `maxBytes` it is PAYLOAD_TOO_LARGE, not INVALID_PAYLOAD. */
export const boundedBytes = <S extends z.ZodType<string>>(schema: S, maxBytes: number) =>
  schema.superRefine((s, ctx) => {
    if (utf8Length(s) > maxBytes) ctx.addIssue(tooLargeIssue(`must be at most ${maxBytes} bytes`));
  });

/** What a binary value may arrive as: Node gives a Buffer (a Uint8Array), browsers an ArrayBuffer. */
export type BinaryLike = Uint8Array | ArrayBuffer;

export const isBinary = (v: unknown): v is BinaryLike => v instanceof Uint8Array || v instanceof ArrayBuffer;

/** A view of the bytes as a plain Uint8Array (no copy). */
export const toBytes = (v: BinaryLike): Uint8Array =>
  v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** Binary data (a Socket.IO attachment) as a Uint8Array; beyond `maxBytes` it is PAYLOAD_TOO_LARGE. */
export const binary = (maxBytes?: number) =>
  z
    .custom<BinaryLike>(isBinary, { message: "must be binary (Uint8Array, Buffer or ArrayBuffer)" })
    .superRefine((v, ctx) => {
      if (maxBytes !== undefined && v.byteLength > maxBytes) ctx.addIssue(tooLargeIssue(`must be at most ${maxBytes} bytes`));
    })
    .transform((v) => toBytes(v))
    .meta({
      type: "string",
      format: "binary",
      description: `a Socket.IO binary attachment (Uint8Array / Buffer / ArrayBuffer)${maxBytes ? `, at most ${maxBytes} bytes` : ""}`,
    });

/** Binary that the server sends: a Buffer in Node, an ArrayBuffer in browsers (the client package turns it into a Uint8Array). */
export const binaryOut = z
  .custom<Uint8Array | ArrayBuffer>(isBinary)
  .meta({ type: "string", format: "binary", description: "binary attachment: Buffer in Node, ArrayBuffer in browsers" });

/** ISO-8601 time with milliseconds, as the server writes every time. */
export const isoTime = z.iso.datetime({ offset: true });

/** `{id}` path parameters (every `:id` route). */
export const IdParams = z.object({ id: uuid });

/** Query of a paged list: exclusive `after` cursor (an item id) and `limit`. */
export const pageQuery = (maxLimit: number) => z.object({ after: uuid.optional(), limit: limitParam(maxLimit) });

/** `nextCursor`: the last item's id, or null when there is no more. */
export const nextCursor = z.string().nullable();

/** An acknowledgement with nothing more than `ok`. */
export const Empty = z.object({});
