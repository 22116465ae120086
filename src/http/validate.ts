import type { z } from "zod";
import { TOO_LARGE } from "../contract/index.js";
import { AppError } from "../errors.js";

function describe(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

const isTooLarge = (issue: z.core.$ZodIssue) =>
  issue.code === "custom" && (issue.params as typeof TOO_LARGE | undefined)?.tooLarge === true;

/**
 * Parses a value against a contract schema or throws INVALID_PAYLOAD listing what is wrong (PAYLOAD_TOO_LARGE
 * when a byte limit was crossed). Unknown keys are stripped by zod objects: ignored, never an error.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what = "payload"): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = describe(result.error);
    const first = details[0];
    const oversize = result.error.issues.find(isTooLarge);
    if (oversize) throw new AppError("PAYLOAD_TOO_LARGE", `${oversize.path.join(".") || what} ${oversize.message}`);
    const message = first ? `invalid ${what}: ${first.path || what} ${first.message}` : `invalid ${what}`;
    throw new AppError("INVALID_PAYLOAD", message, details);
  }
  return result.data;
}
