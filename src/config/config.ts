import { randomBytes } from "node:crypto";
import { z } from "zod";
import { parseTrustProxy, type TrustProxy } from "./trust-proxy.js";

/** scrypt cost of password hashes: N = 2^17 (OWASP), see auth/passwords.ts. */
export const DEFAULT_SCRYPT_LOG_N = 17;

/** Thrown when the environment cannot start a server; `message` is the one line printed before exiting. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1" || v === "yes"));

/** A boolean whose default depends on other settings (e.g. on in development, off in production). */
const optionalBool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === "true" || v === "1" || v === "yes"));

const nonNegativeInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) {
        ctx.addIssue({ code: "custom", message: "must be a non-negative integer" });
        return z.NEVER;
      }
      return n;
    });

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const url = (protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return undefined;
      try {
        const parsed = new URL(v);
        if (!protocols.includes(parsed.protocol)) throw new Error("protocol");
        return v;
      } catch {
        ctx.addIssue({ code: "custom", message: `must be a ${protocols.join(" or ")}// URL` });
        return z.NEVER;
      }
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const envSchema = z.object({
  NODE_ENV: z.string().optional().default("development"),
  PORT: nonNegativeInt(3000).refine((n) => n <= 65535, "must be a port number (0..65535)"),
  DATABASE_URL: url(["postgres:", "postgresql:"]),
  DATA_DIR: z.string().optional().default("./data"),
  API_DOCS: optionalBool,
  REDIS_URL: url(["redis:", "rediss:"]),
  REDIS_PREFIX: z.string().optional().default("cohort-live:"),
  // the contract sets no minimum length: a short secret is refused only in production (below); empty means unset
  JWT_SECRET: z
    .string()
    .optional()
    .transform((v) => (v === "" ? undefined : v)),
  ADMIN_EMAILS: list,
  CORS_ORIGINS: list,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).optional().default("info"),
  AUTH_RATE_LIMIT: nonNegativeInt(20),
  SOCKET_RATE_LIMIT: nonNegativeInt(50),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseTrustProxy(v);
      } catch {
        ctx.addIssue({ code: "custom", message: "must be false, true, a hop count or a list of addresses/CIDRs" });
        return z.NEVER;
      }
    }),
  LOGIN_RATE_LIMIT: nonNegativeInt(60),
  LOGIN_FAILURE_LIMIT: nonNegativeInt(10),
  REFRESH_RATE_LIMIT: nonNegativeInt(600),
  // test-only below 17 (refused in production): the cost of new password hashes is 2^SCRYPT_LOG_N
  SCRYPT_LOG_N: nonNegativeInt(DEFAULT_SCRYPT_LOG_N).refine((n) => n >= 14 && n <= 20, "must be 14..20"),
  MAX_SOCKETS_PER_USER: nonNegativeInt(20),
  CONNECT_RATE_LIMIT: nonNegativeInt(120),
  METRICS_PORT: nonNegativeInt(0).refine((n) => n <= 65535, "must be a port number (1..65535)"),
  HTTP_HEADERS_TIMEOUT_MS: nonNegativeInt(10_000),
  HTTP_REQUEST_TIMEOUT_MS: nonNegativeInt(30_000),
  HTTP_KEEPALIVE_TIMEOUT_MS: nonNegativeInt(5_000),
  MAX_CONNECTIONS: nonNegativeInt(10_000),
  MIGRATIONS_RUN: bool(true),
  SHUTDOWN_TIMEOUT_MS: nonNegativeInt(8000),
  WEB_APP: optionalBool,
  DOC_MAX_BYTES: nonNegativeInt(4 * 1024 * 1024),
  DOC_COMPACTION_DELAY_MS: nonNegativeInt(30_000),
  HEAP_GROWTH_PERCENT: nonNegativeInt(100).refine((n) => n <= 300, "must be 0..300"),
  VAPID_PUBLIC_KEY: optionalText,
  VAPID_PRIVATE_KEY: optionalText,
  VAPID_SUBJECT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? "mailto:admin@localhost" : v.trim()))
    .refine((v) => URL.canParse(v) && ["mailto:", "https:"].includes(new URL(v).protocol), "must be a mailto: or https: URL"),
  NOTIFICATIONS_RETENTION_DAYS: nonNegativeInt(180),
  // test/ops knob: seconds before a failed push is tried again (doubling, with jitter); the default keeps the
  // contract's "3 tries over at least a minute, the third within 3 minutes"
  PUSH_RETRY_DELAY_SECONDS: nonNegativeInt(25).refine((n) => n >= 1, "must be at least 1"),
});

/** A base64url value of exactly `bytes` bytes (how VAPID keys are written). */
const base64urlOf = (value: string, bytes: number) =>
  /^[A-Za-z0-9_-]+$/.test(value) && Buffer.from(value, "base64url").length === bytes;

export interface Config {
  env: string;
  production: boolean;
  port: number;
  database: { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };
  redis: { url: string; prefix: string } | null;
  jwt: { secret: string; generated: boolean };
  adminEmails: string[];
  /** `"*"` allows any origin. */
  corsOrigins: string[] | "*";
  logLevel: string;
  authRateLimit: number;
  socketRateLimit: number;
  /**
   * Auth buckets besides AUTH_RATE_LIMIT (register, logout, password, reset per IP per minute; 0 turns every
   * auth bucket off): login attempts per IP per minute, failed logins per account per 15 minutes, refreshes
   * per IP per minute. 0 turns one off.
   */
  authLimits: { loginPerIp: number; loginFailuresPerAccount: number; refreshPerIp: number };
  /** New password hashes cost 2^scryptLogN. */
  scryptLogN: number;
  trustProxy: TrustProxy;
  /** 0 = no cap. */
  maxSocketsPerUser: number;
  /** Socket.IO connection attempts per minute per IP; 0 = off. */
  connectRateLimit: number;
  /** Set: `/metrics` is served on this port only. */
  metricsPort: number | null;
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; maxConnections: number };
  migrationsRun: boolean;
  shutdownTimeoutMs: number;
  /** Serve the web app at `/` (default: outside production only). */
  webApp: boolean;
  /** Where the built web app is; undefined: dist/web of this package. */
  webAppDir?: string;
  /** Largest encoded size of a session document in bytes; 0 = no limit. */
  docMaxBytes: number;
  /** How long a document's background compaction waits after its log passes the threshold. */
  docCompactionDelayMs: number;
  /** V8's old generation may grow by this much between full collections (see gc-tuning.ts); 0 = V8's own choice. */
  heapGrowthPercent: number;
  /** Web Push: the VAPID key pair from the environment (null: generated once and kept in the database). */
  push: { vapid: { publicKey: string; privateKey: string } | null; subject: string; retryDelaySeconds: number };
  /** Read notifications older than this many days are deleted; 0 keeps them all. */
  notificationsRetentionDays: number;
  /** Serve the interactive API reference at /docs (the JSON descriptions are always served). */
  apiDocs: boolean;
}

/** Parses the environment once; throws ConfigError with one readable line on any refusal. */
export function loadConfig(env: Record<string, string | undefined> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${String(issue?.path[0] ?? "env")} ${issue?.message ?? "is invalid"}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  if (production && !e.JWT_SECRET)
    throw new ConfigError("invalid configuration: JWT_SECRET is required when NODE_ENV=production");
  if (production && e.JWT_SECRET && e.JWT_SECRET.length < 16)
    throw new ConfigError("invalid configuration: JWT_SECRET must be at least 16 characters when NODE_ENV=production");
  if (production && e.SCRYPT_LOG_N < DEFAULT_SCRYPT_LOG_N)
    throw new ConfigError(`invalid configuration: SCRYPT_LOG_N below ${DEFAULT_SCRYPT_LOG_N} is for tests only, not production`);
  if (e.REDIS_URL && !e.DATABASE_URL)
    throw new ConfigError(
      "invalid configuration: REDIS_URL requires DATABASE_URL (nodes of a cluster cannot share an embedded database)",
    );
  if (e.REDIS_URL && !e.JWT_SECRET)
    throw new ConfigError("invalid configuration: REDIS_URL requires JWT_SECRET (nodes of a cluster must share one secret)");
  if (Boolean(e.VAPID_PUBLIC_KEY) !== Boolean(e.VAPID_PRIVATE_KEY))
    throw new ConfigError("invalid configuration: set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither");
  if (e.VAPID_PUBLIC_KEY && !base64urlOf(e.VAPID_PUBLIC_KEY, 65))
    throw new ConfigError("invalid configuration: VAPID_PUBLIC_KEY must be a base64url P-256 public key (65 bytes)");
  if (e.VAPID_PRIVATE_KEY && !base64urlOf(e.VAPID_PRIVATE_KEY, 32))
    throw new ConfigError("invalid configuration: VAPID_PRIVATE_KEY must be a base64url P-256 private key (32 bytes)");
  return {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    database: e.DATABASE_URL ? { kind: "postgres", url: e.DATABASE_URL } : { kind: "pglite", dataDir: e.DATA_DIR },
    redis: e.REDIS_URL ? { url: e.REDIS_URL, prefix: e.REDIS_PREFIX } : null,
    jwt: e.JWT_SECRET ? { secret: e.JWT_SECRET, generated: false } : { secret: randomBytes(32).toString("hex"), generated: true },
    adminEmails: e.ADMIN_EMAILS.map((s) => s.toLowerCase()),
    // production without CORS_ORIGINS allows no cross-origin browser calls
    corsOrigins: e.CORS_ORIGINS.length > 0 ? e.CORS_ORIGINS : production ? [] : "*",
    logLevel: e.LOG_LEVEL,
    authRateLimit: e.AUTH_RATE_LIMIT,
    socketRateLimit: e.SOCKET_RATE_LIMIT,
    authLimits: {
      loginPerIp: e.LOGIN_RATE_LIMIT,
      loginFailuresPerAccount: e.LOGIN_FAILURE_LIMIT,
      refreshPerIp: e.REFRESH_RATE_LIMIT,
    },
    scryptLogN: e.SCRYPT_LOG_N,
    trustProxy: e.TRUST_PROXY,
    maxSocketsPerUser: e.MAX_SOCKETS_PER_USER,
    connectRateLimit: e.CONNECT_RATE_LIMIT,
    metricsPort: e.METRICS_PORT || null,
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEPALIVE_TIMEOUT_MS,
      maxConnections: e.MAX_CONNECTIONS,
    },
    migrationsRun: e.MIGRATIONS_RUN,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    webApp: e.WEB_APP ?? !production,
    docMaxBytes: e.DOC_MAX_BYTES,
    docCompactionDelayMs: e.DOC_COMPACTION_DELAY_MS,
    heapGrowthPercent: e.HEAP_GROWTH_PERCENT,
    push: {
      vapid:
        e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY } : null,
      subject: e.VAPID_SUBJECT,
      retryDelaySeconds: e.PUSH_RETRY_DELAY_SECONDS,
    },
    notificationsRetentionDays: e.NOTIFICATIONS_RETENTION_DAYS,
    apiDocs: e.API_DOCS ?? !production,
  };
}
