/**
 * The closed set of error codes of the public contract, with their HTTP status. Apart from the zod schemas in
 * errors.ts, so the browser client can use the table without bundling zod.
 */
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
