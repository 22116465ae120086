import { CHILD_PATH } from "../env.js";
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { MAIN, ROOT } from "../support/processes.js";

const PG = "postgres://u@db.example:5432/app";
const REDIS = "redis://cache.example:6379";
const SECRET = "a-secret-of-sufficient-length";

/** Every refusal: the environment, and a fragment the one-line message must contain. */
const refusals: [string, Record<string, string>, RegExp][] = [
  ["a PORT that is not a number", { PORT: "http" }, /PORT/],
  ["a negative PORT", { PORT: "-1" }, /PORT/],
  ["a fractional PORT", { PORT: "80.5" }, /PORT/],
  ["a PORT above 65535", { PORT: "70000" }, /PORT/],
  ["a DATABASE_URL that is not a URL", { DATABASE_URL: "not a url" }, /DATABASE_URL/],
  ["a DATABASE_URL of another database", { DATABASE_URL: "mysql://u@h/db" }, /DATABASE_URL/],
  ["a REDIS_URL that is not redis", { REDIS_URL: "http://cache:6379", DATABASE_URL: PG, JWT_SECRET: SECRET }, /REDIS_URL/],
  ["a REDIS_URL that is not a URL", { REDIS_URL: "cache:6379:x y", DATABASE_URL: PG, JWT_SECRET: SECRET }, /REDIS_URL/],
  ["NODE_ENV=production without JWT_SECRET", { NODE_ENV: "production" }, /JWT_SECRET.*production/],
  ["REDIS_URL without DATABASE_URL", { REDIS_URL: REDIS, JWT_SECRET: SECRET }, /REDIS_URL requires DATABASE_URL/],
  ["REDIS_URL without JWT_SECRET", { REDIS_URL: REDIS, DATABASE_URL: PG }, /REDIS_URL requires JWT_SECRET/],
  ["an unknown LOG_LEVEL", { LOG_LEVEL: "verbose" }, /LOG_LEVEL/],
  ["a JWT_SECRET shorter than 16 characters in production", { NODE_ENV: "production", JWT_SECRET: "short" }, /JWT_SECRET.*16/],
  ["a negative AUTH_RATE_LIMIT", { AUTH_RATE_LIMIT: "-5" }, /AUTH_RATE_LIMIT/],
  ["a SOCKET_RATE_LIMIT that is not a number", { SOCKET_RATE_LIMIT: "lots" }, /SOCKET_RATE_LIMIT/],
  ["a TRUST_PROXY that is not a boolean, hop count or address list", { TRUST_PROXY: "maybe" }, /TRUST_PROXY/],
  ["a MIGRATIONS_RUN that is not a boolean", { MIGRATIONS_RUN: "sometimes" }, /MIGRATIONS_RUN/],
  ["a SHUTDOWN_TIMEOUT_MS that is not a number", { SHUTDOWN_TIMEOUT_MS: "soon" }, /SHUTDOWN_TIMEOUT_MS/],
  ["a WEB_APP that is not a boolean", { WEB_APP: "maybe" }, /WEB_APP/],
  ["a DOC_MAX_BYTES that is not a number", { DOC_MAX_BYTES: "4MB" }, /DOC_MAX_BYTES/],
  ["a DOC_COMPACTION_DELAY_MS that is not a number", { DOC_COMPACTION_DELAY_MS: "later" }, /DOC_COMPACTION_DELAY_MS/],
  ["a HEAP_GROWTH_PERCENT above 300", { HEAP_GROWTH_PERCENT: "1000" }, /HEAP_GROWTH_PERCENT/],
];

describe("configuration", () => {
  it("defaults to one embedded node on port 3000", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: "development",
      production: false,
      port: 3000,
      database: { kind: "pglite", dataDir: "./data" },
      redis: null,
      adminEmails: [],
      corsOrigins: "*",
      logLevel: "info",
      authRateLimit: 20,
      socketRateLimit: 50,
      trustProxy: false,
      maxSocketsPerUser: 20,
      // separate auth buckets; refresh generous (a classroom behind one NAT refreshes together)
      authLimits: { loginPerIp: 60, loginFailuresPerAccount: 10, refreshPerIp: 600 },
      scryptLogN: 17,
      connectRateLimit: 120,
      metricsPort: null,
      http: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 10_000 },
      migrationsRun: true,
      shutdownTimeoutMs: 8000,
      webApp: true,
      docMaxBytes: 4194304,
      docCompactionDelayMs: 30_000,
      heapGrowthPercent: 100,
    });
    expect(c.jwt.generated).toBe(true);
    expect(c.jwt.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(loadConfig({}).jwt.secret).not.toBe(c.jwt.secret); // random per start
  });

  it("reads every variable", () => {
    const c = loadConfig({
      NODE_ENV: "production",
      PORT: "0",
      DATABASE_URL: PG,
      REDIS_URL: REDIS,
      REDIS_PREFIX: "app:",
      JWT_SECRET: SECRET,
      ADMIN_EMAILS: " Boss@Example.com, ops@example.com ,",
      CORS_ORIGINS: "https://a.example,https://b.example",
      LOG_LEVEL: "warn",
      AUTH_RATE_LIMIT: "0",
      SOCKET_RATE_LIMIT: "10",
      TRUST_PROXY: "true",
      MAX_SOCKETS_PER_USER: "5",
      LOGIN_RATE_LIMIT: "7",
      LOGIN_FAILURE_LIMIT: "8",
      REFRESH_RATE_LIMIT: "9",
      SCRYPT_LOG_N: "18",
      CONNECT_RATE_LIMIT: "30",
      METRICS_PORT: "9100",
      HTTP_HEADERS_TIMEOUT_MS: "4000",
      HTTP_REQUEST_TIMEOUT_MS: "9000",
      HTTP_KEEPALIVE_TIMEOUT_MS: "2000",
      MAX_CONNECTIONS: "500",
      MIGRATIONS_RUN: "false",
      SHUTDOWN_TIMEOUT_MS: "3000",
      WEB_APP: "true",
      DOC_MAX_BYTES: "1000000",
      DOC_COMPACTION_DELAY_MS: "5000",
      HEAP_GROWTH_PERCENT: "50",
    });
    expect(c).toEqual({
      env: "production",
      production: true,
      port: 0,
      database: { kind: "postgres", url: PG },
      redis: { url: REDIS, prefix: "app:" },
      jwt: { secret: SECRET, generated: false },
      adminEmails: ["boss@example.com", "ops@example.com"],
      corsOrigins: ["https://a.example", "https://b.example"],
      logLevel: "warn",
      authRateLimit: 0,
      socketRateLimit: 10,
      trustProxy: true,
      maxSocketsPerUser: 5,
      authLimits: { loginPerIp: 7, loginFailuresPerAccount: 8, refreshPerIp: 9 },
      scryptLogN: 18,
      connectRateLimit: 30,
      metricsPort: 9100,
      http: { headersTimeoutMs: 4000, requestTimeoutMs: 9000, keepAliveTimeoutMs: 2000, maxConnections: 500 },
      migrationsRun: false,
      shutdownTimeoutMs: 3000,
      webApp: true,
      docMaxBytes: 1000000,
      docCompactionDelayMs: 5000,
      heapGrowthPercent: 50,
      push: { vapid: null, subject: "mailto:admin@localhost", retryDelaySeconds: 25 },
      notificationsRetentionDays: 180,
      apiDocs: false,
    });
  });

  it("serves the web app outside production only, unless WEB_APP says otherwise", () => {
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: SECRET }).webApp).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: SECRET, WEB_APP: "1" }).webApp).toBe(true);
    expect(loadConfig({ WEB_APP: "false" }).webApp).toBe(false);
  });

  it("allows no cross-origin calls in production unless CORS_ORIGINS says so", () => {
    expect(loadConfig({ NODE_ENV: "production", JWT_SECRET: SECRET }).corsOrigins).toEqual([]);
  });

  it("accepts postgresql:// and rediss:// URLs, and treats empty values as unset", () => {
    const c = loadConfig({ DATABASE_URL: "postgresql://h/db", REDIS_URL: "rediss://h:6380", JWT_SECRET: SECRET, PORT: "" });
    expect(c.database).toEqual({ kind: "postgres", url: "postgresql://h/db" });
    expect(c.redis?.url).toBe("rediss://h:6380");
    expect(c.port).toBe(3000);
    expect(loadConfig({ DATABASE_URL: "", REDIS_URL: "" })).toMatchObject({ database: { kind: "pglite" }, redis: null });
  });

  it("takes a JWT_SECRET of any length outside production (the contract sets no minimum); empty means unset", () => {
    expect(loadConfig({ JWT_SECRET: "secret" }).jwt).toEqual({ secret: "secret", generated: false });
    const cluster = loadConfig({ JWT_SECRET: "test", REDIS_URL: REDIS, DATABASE_URL: PG });
    expect(cluster.jwt).toEqual({ secret: "test", generated: false });
    expect(loadConfig({ JWT_SECRET: "" }).jwt.generated).toBe(true);
    expect(() => loadConfig({ JWT_SECRET: "", REDIS_URL: REDIS, DATABASE_URL: PG })).toThrow(/REDIS_URL requires JWT_SECRET/);
  });

  it.each(refusals)("refuses %s", (_what, env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain("\n");
  });

  it.each(refusals)("the server exits non-zero with one stderr line on %s", (_what, env, message) => {
    const run = spawnSync(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: CHILD_PATH, PORT: "0", ...env },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).not.toBe(0);
    expect(run.status).not.toBeNull();
    const lines = run.stderr.split("\n").filter((l) => l.trim());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cohort-live: invalid configuration: /);
    expect(lines[0]).toMatch(message);
    expect(run.stdout).not.toContain('"msg":"listening"');
  });
});
