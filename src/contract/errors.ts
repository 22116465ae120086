import { z } from "zod";

/** The closed set of error codes of the public contract, with their HTTP status. */
export const ERROR_STATUS = {
  INVALID_PAYLOAD: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ErrorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/** REST error bodies: `{error: {code, message, details?}}`. */
export const ErrorBody = z.object({ code: ErrorCodeSchema, message: z.string(), details: z.unknown().optional() });
export type ErrorBody = z.infer<typeof ErrorBody>;
export const ErrorResponse = z.object({ error: ErrorBody });

/** A refused socket event's ack. */
export const AckFailure = z.object({ ok: z.literal(false), error: z.object({ code: ErrorCodeSchema, message: z.string() }) });
export type AckFailure = z.infer<typeof AckFailure>;
