import net from "node:net";
import type { TestProject } from "vitest/node";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./env.js";
import { makeTemplates } from "./support/templates.js";

function reachable(url: string, fallbackPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || fallbackPort) });
    socket.setTimeout(2000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(false));
  });
}

/**
 * Stops the run at once, with one message, when the services the tests need are not there; then makes the
 * migrated database and DATA_DIR templates the tests copy (test/support/templates.ts), removed after the run.
 */
export default async function setup(project: TestProject) {
  const [pg, redis] = await Promise.all([reachable(TEST_DATABASE_URL, 5432), reachable(TEST_REDIS_URL, 6379)]);
  const missing = [!pg && `PostgreSQL at ${TEST_DATABASE_URL}`, !redis && `Redis at ${TEST_REDIS_URL}`].filter(Boolean);
  if (missing.length) {
    throw new Error(
      `tests need ${missing.join(" and ")} (set TEST_DATABASE_URL / TEST_REDIS_URL, or run: ` +
        `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres:15 && docker run -d -p 6379:6379 redis:7)`,
    );
  }
  const templates = await makeTemplates();
  project.provide("pgTemplate", templates.pg);
  project.provide("pgliteTemplate", templates.pglite);
  return () => templates.remove();
}
