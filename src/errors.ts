import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "./contract/errors.js";

export { ERROR_STATUS, type ErrorBody, type ErrorCode };

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds a client should wait (sent as Retry-After for RATE_LIMITED). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

const DB_UNAVAILABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection timeout|timeout exceeded when trying to connect|terminating connection|the database system is|Driver not Connected|Client has encountered a connection error/i;

/** True for errors that mean the database is unreachable rather than the request being wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  // 08: connection exceptions; 57P01/57P03: shutting down / starting up; 3D000: the database is gone; 53300: no free connection
  if (typeof code === "string" && (code.startsWith("08") || ["57P01", "57P03", "3D000", "53300"].includes(code))) return true;
  const driverError = (err as { driverError?: unknown }).driverError;
  if (driverError && driverError !== err && isDatabaseUnavailable(driverError)) return true;
  return DB_UNAVAILABLE.test(err.message);
}

/** 22021 / 22P05: a client's text held a character PostgreSQL cannot store (NUL), whatever field let it through. */
function isUnstorableText(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.code ?? e?.driverError?.code;
  return code === "22021" || code === "22P05";
}

/** Maps anything thrown to a contract error body; unexpected errors become INTERNAL with no internals. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) {
    return err.details === undefined
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, details: err.details };
  }
  if (isDatabaseUnavailable(err)) return { code: "UNAVAILABLE", message: "the database is unavailable, try again shortly" };
  if (isUnstorableText(err))
    return { code: "INVALID_PAYLOAD", message: "a text value contains characters that cannot be stored (NUL)" };
  return { code: "INTERNAL", message: "internal error" };
}

/** Socket.IO acknowledgement for a failure. */
export function toAckError(err: unknown): { ok: false; error: { code: ErrorCode; message: string } } {
  const { code, message } = toErrorBody(err);
  return { ok: false, error: { code, message } };
}

/** Postgres unique violation (23505), seen through TypeORM's QueryFailedError. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
  const code = e?.code ?? e?.driverError?.code;
  if (code !== "23505") return false;
  return constraint === undefined || (e.constraint ?? e.driverError?.constraint) === constraint;
}

/** Errors raised by the database layer (driver or query), counted in `cohort_live_db_errors_total`. */
export function isDatabaseError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === "QueryFailedError" || isDatabaseUnavailable(err);
}
