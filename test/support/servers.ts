/** What every test server is, however it runs (a child process or in the test's own process). */

/** The secret and admin address every test server is started with (unless a test says otherwise). */
export const JWT_SECRET = "test-secret-0123456789abcdef";
export const ADMIN_EMAIL = "admin@cohort.test";

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
