import { pino, type Logger } from "pino";

export type { Logger };

/** Field paths that must never reach a log line, whatever object they sit in. */
const REDACT = [
  "password",
  "currentPassword",
  "newPassword",
  "passwordHash",
  "token",
  "accessToken",
  "refreshToken",
  "tokenHash",
  "authorization",
  "*.password",
  "*.currentPassword",
  "*.newPassword",
  "*.passwordHash",
  "*.token",
  "*.accessToken",
  "*.refreshToken",
  "*.tokenHash",
  "*.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
];

/** Keeps what helps debugging and drops what could leak (TypeORM errors carry the SQL and its parameters). */
export function serializeError(err: unknown) {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { type: err.name, message: err.message, code: typeof code === "string" ? code : undefined, stack: err.stack };
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
    },
    destination ?? process.stdout,
  );
}
