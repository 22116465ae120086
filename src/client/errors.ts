import { ERROR_STATUS } from "../contract/error-status.js";
import type { ErrorCode } from "./protocol.js";

/**
 * A refusal from the server (a non-2xx REST answer or an `{ok: false}` ack), or `UNAVAILABLE` (status 0) when
 * the server could not be reached in time.
 */
export class CohortLiveError extends Error {
  override name = "CohortLiveError";
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "NETWORK",
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The error of a failed ack, with the HTTP status its code stands for. */
export function ackError(error: { code: ErrorCode; message: string }): CohortLiveError {
  return new CohortLiveError(ERROR_STATUS[error.code] ?? 500, error.code, error.message);
}
