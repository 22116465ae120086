/** The default: no DATABASE_URL, no REDIS_URL — one node on the embedded PGlite in DATA_DIR. */
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/databases.js";
import { type ProcessNode, startNode } from "../support/processes.js";
import { api, uniqueEmail } from "../support/rest.js";

describe("embedded mode", () => {
  const dir = tempDir();
  let node: ProcessNode | undefined;
  afterAll(async () => {
    await node?.stop("SIGKILL");
    dir.remove();
  });

  it("starts with no environment, keeps a registered user across a restart on the same DATA_DIR", async () => {
    node = await startNode({ DATA_DIR: dir.path });
    expect(node.logs.some((l) => l.includes('"database":"pglite"') && l.includes('"msg":"listening"'))).toBe(true);
    expect(node.logs.some((l) => l.includes("JWT_SECRET is not set"))).toBe(true);
    const ready = await api(node, "GET", "/readyz");
    expect([ready.status, ready.body]).toEqual([200, { db: "ok", redis: "none" }]);

    const email = uniqueEmail("embedded");
    const password = "embedded-password";
    const registered = await api(node, "POST", "/api/auth/register", {
      body: { email, password, displayName: "Embedded" },
    });
    expect(registered.status).toBe(201);
    expect(await node.stop("SIGTERM")).toBe(0);

    node = await startNode({ DATA_DIR: dir.path });
    expect(node.logs.some((l) => l.includes('"msg":"migrations applied"'))).toBe(false);
    const login = await api(node, "POST", "/api/auth/login", { body: { email, password } });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ id: registered.body.user.id, email, displayName: "Embedded" });
    // tokens of the previous start used another random secret; the new one works
    const me = await api(node, "GET", "/api/me", { token: login.body.accessToken });
    expect(me.status).toBe(200);
    const stale = await api(node, "GET", "/api/me", { token: registered.body.accessToken });
    expect(stale.status).toBe(401);
    expect(await node.stop("SIGTERM")).toBe(0);
    node = undefined;
  });

  it("refuses a second process on the same DATA_DIR while the first runs", async () => {
    node = await startNode({ DATA_DIR: dir.path });
    const second = await startNode({ DATA_DIR: dir.path }).then(
      () => "started",
      (err: Error) => err.message,
    );
    expect(second).toMatch(/exited with 1/);
    expect(second).toMatch(/DATA_DIR .* is in use by another cohort-live process/);
    expect((await api(node, "GET", "/readyz")).body).toEqual({ db: "ok", redis: "none" });
    // a process that died without cleaning up leaves a stale lock, which the next start takes over
    await node.stop("SIGKILL");
    node = await startNode({ DATA_DIR: dir.path });
    expect((await api(node, "GET", "/readyz")).status).toBe(200);
    expect(await node.stop("SIGTERM")).toBe(0);
    node = undefined;
  });

  it("handles parallel writes through the one embedded session", async () => {
    node = await startNode({ DATA_DIR: dir.path, AUTH_RATE_LIMIT: "0" });
    const email = uniqueEmail("race");
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api(node!, "POST", "/api/auth/register", {
          body: { email: i === 5 || i === 6 ? email : uniqueEmail(`p${i}`), password: "parallel-password", displayName: `P${i}` },
        }),
      ),
    );
    const statuses = attempts.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(19);
    expect(statuses.filter((s) => s === 409)).toHaveLength(1);
    for (const a of attempts.filter((x) => x.status === 201)) {
      const me = await api(node, "GET", "/api/me", { token: a.body.accessToken });
      expect(me.status).toBe(200);
    }
  });
});
