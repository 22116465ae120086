import { configDefaults, defineConfig } from "vitest/config";

/**
 * Files whose tests bound a latency (issue 11: /healthz and a chat ack within 200 ms while a large document is
 * joined). The bound is the server's, not the server's plus another test file's servers on the same two cores:
 * these files run after all the others, one at a time.
 */
const TIMED = ["test/sessions/document-load.test.ts"];

export default defineConfig({
  resolve: {
    // graphql has a CommonJS `main` and an ES `module` entry. Vite would give src/ (servers run in-process) the ES
    // one while Node gives graphql-yoga the CommonJS one, and the two copies refuse each other's schema: take Node's.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    // the test files of a worker share its module cache: the server's sources (imported by every file that runs a
    // server in-process) are loaded once per worker, not once per file (76 s → 8 s of import in a 36-file run).
    // Every test builds its own servers, databases and sockets; module-level state is keyed by random ids.
    isolate: false,
    // test files start real server processes: two files at a time keep a 2-core machine responsive
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...TIMED],
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: "timed", include: TIMED, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
