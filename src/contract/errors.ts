import { z } from "zod";

import { ERROR_STATUS, type ErrorCode } from "./error-status.js";

export { ERROR_STATUS, type ErrorCode };

export const ErrorCodeSchema = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

/** REST error bodies: `{error: {code, message, details?}}`. */
export const ErrorBody = z.object({ code: ErrorCodeSchema, message: z.string(), details: z.unknown().optional() });
export type ErrorBody = z.infer<typeof ErrorBody>;
export const ErrorResponse = z.object({ error: ErrorBody });

/** A refused socket event's ack. */
export const AckFailure = z.object({ ok: z.literal(false), error: z.object({ code: ErrorCodeSchema, message: z.string() }) });
export type AckFailure = z.infer<typeof AckFailure>;
