import type { Request } from "express";
import { z } from "zod";
import { AppError } from "../errors.js";

/**
 * zod objects strip unknown keys by default: unknown keys are ignored, never an error.
 * An id is any 8-4-4-4-12 hex string (what PostgreSQL's uuid type reads, so a well-formed id that names nothing
 * is 404, not 400), lower-cased so an id in upper-case hex names the same rooms, cache entries and cursors.
 */
export const uuid = z.guid({ message: "must be a valid id" }).toLowerCase();

/** A text field with a length range counted in characters (code points); NUL cannot be stored, so it is invalid. */
export const text = (min: number, max: number) =>
  z
    .string()
    .refine((s) => [...s].length >= min && [...s].length <= max, {
      message: `must be ${min}..${max} characters`,
    })
    .refine((s) => !s.includes("\u0000"), { message: "must not contain NUL characters" });

/** `limit` query values arrive as strings. */
export const limitParam = (max: number, fallback = 50) => z.coerce.number().int().min(1).max(max).optional().default(fallback);

/** A refinement issue carrying this param turns the whole parse into PAYLOAD_TOO_LARGE (413). */
const TOO_LARGE = { tooLarge: true };

/** A string limited in UTF-8 bytes: beyond `maxBytes` it is PAYLOAD_TOO_LARGE, not INVALID_PAYLOAD. */
export const boundedBytes = <S extends z.ZodType<string>>(schema: S, maxBytes: number) =>
  schema.superRefine((s, ctx) => {
    if (Buffer.byteLength(s, "utf8") > maxBytes) {
      ctx.addIssue({ code: "custom", message: `must be at most ${maxBytes} bytes`, params: TOO_LARGE });
    }
  });

/** Marks a custom issue as a byte-limit violation (for binary or JSON size checks in schemas). */
export const tooLargeIssue = (message: string) => ({ code: "custom" as const, message, params: TOO_LARGE });

function describe(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** Parses a value against a schema or throws INVALID_PAYLOAD listing what is wrong. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what = "payload"): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = describe(result.error);
    const first = details[0];
    const oversize = result.error.issues.find((i) => i.code === "custom" && (i.params as { tooLarge?: boolean })?.tooLarge);
    if (oversize) throw new AppError("PAYLOAD_TOO_LARGE", `${oversize.path.join(".") || what} ${oversize.message}`);
    const message = first ? `invalid ${what}: ${first.path || what} ${first.message}` : `invalid ${what}`;
    throw new AppError("INVALID_PAYLOAD", message, details);
  }
  return result.data;
}

export const body = <S extends z.ZodType>(req: Request, schema: S) => parse(schema, req.body ?? {}, "body");
export const query = <S extends z.ZodType>(req: Request, schema: S) => parse(schema, req.query, "query");
export const params = <S extends z.ZodType>(req: Request, schema: S) => parse(schema, req.params, "path");

/** `:id`-style path parameter that must be a UUID (malformed → 400, never a 500). */
export const idParam = (req: Request, name = "id"): string =>
  parse(z.object({ [name]: uuid }), req.params, "path")[name] as string;
