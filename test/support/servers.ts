/** What every test server is, however it runs (a child process or in the test's own process). */

/** The secret and admin address every test server is started with (unless a test says otherwise). */
export const JWT_SECRET = "test-secret-0123456789abcdef";
export const ADMIN_EMAIL = "admin@cohort.test";

/**
 * Tests open many connections and register many users from one address: the v2 per-IP and per-user connection
 * limits are off (`0`), as AUTH_RATE_LIMIT is, and new passwords use the cheapest accepted scrypt cost
 * (SCRYPT_LOG_N=14, test-only). A test of one of these sets it in its own env.
 */
export const TEST_LIMITS = { MAX_SOCKETS_PER_USER: "0", CONNECT_RATE_LIMIT: "0", SCRYPT_LOG_N: "14" };

/** A server's environment: the variables `loadConfig` reads. */
export type ServerEnv = Record<string, string | undefined>;

export interface Node {
  url: string;
  port: number;
  /** Every log line the server printed. */
  logs: string[];
  /** Stops the server (a process: SIGTERM unless another signal is given). */
  stop(): Promise<unknown>;
}
