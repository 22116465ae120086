/** scrypt N=2^17 by default, parameters recorded in each hash, rehash on login; the admin CLI. */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { CHILD_PATH } from "../env.js";
import { startCluster, type Cluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { ROOT } from "../support/processes.js";
import { api, uniqueEmail } from "../support/rest.js";
import { JWT_SECRET } from "../support/servers.js";

const hashOf = async (dbUrl: string, email: string) =>
  (await sql<{ password_hash: string }>(dbUrl, "SELECT password_hash FROM users WHERE email = $1", [email]))[0]!.password_hash;

describe("password hashing cost", () => {
  it("is N=2^17 by default; SCRYPT_LOG_N below 17 is refused in production", () => {
    expect(loadConfig({}).scryptLogN).toBe(17);
    expect(() => loadConfig({ NODE_ENV: "production", JWT_SECRET, SCRYPT_LOG_N: "14" })).toThrow(/SCRYPT_LOG_N/);
    expect(() => loadConfig({ SCRYPT_LOG_N: "10" })).toThrow(/SCRYPT_LOG_N/);
  });

  let cluster: Cluster;
  beforeAll(async () => {
    // a node of the old (test) cost first
    cluster = await startCluster(1, { redis: false, env: { SCRYPT_LOG_N: "14" } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("records the parameters in the hash and rehashes an older hash at the next successful login", async () => {
    const email = uniqueEmail();
    const password = "correct horse battery";
    const reg = await api(cluster.nodes[0]!, "POST", "/api/auth/register", { body: { email, password, displayName: "H" } });
    expect(reg.status).toBe(201);
    expect(await hashOf(cluster.dbUrl, email)).toMatch(/^scrypt\$16384\$8\$1\$/);

    const strong = await cluster.addNode({ SCRYPT_LOG_N: "17" });
    // a wrong password changes nothing
    expect((await api(strong, "POST", "/api/auth/login", { body: { email, password: "wrong one" } })).status).toBe(401);
    expect(await hashOf(cluster.dbUrl, email)).toMatch(/^scrypt\$16384\$/);
    expect((await api(strong, "POST", "/api/auth/login", { body: { email, password } })).status).toBe(200);
    expect(await hashOf(cluster.dbUrl, email)).toMatch(/^scrypt\$131072\$8\$1\$/);
    // and the new hash verifies, on either cost's node
    expect((await api(strong, "POST", "/api/auth/login", { body: { email, password } })).status).toBe(200);
    expect((await api(cluster.nodes[0]!, "POST", "/api/auth/login", { body: { email, password } })).status).toBe(200);
  }, 60_000);

  it("npm run admin: create-admin (ADMIN_PASSWORD) and promote, against the configured database", async () => {
    const email = uniqueEmail("cli-admin");
    // asynchronous: a blocked event loop would let the server close this process's idle keep-alive connections unseen
    const run = (args: string[], env: Record<string, string> = {}, input?: string) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ["dist/src/admin.js", ...args], {
          cwd: ROOT,
          env: { PATH: CHILD_PATH, DATABASE_URL: cluster.dbUrl, SCRYPT_LOG_N: "14", ...env },
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.stdout.resume();
        child.stdin.end(input ?? "");
        child.on("close", (status) => resolve({ status, stderr }));
      });
    const created = await run(["create-admin", email, "Ops Admin"], { ADMIN_PASSWORD: "cli password 123" });
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    const login = await api(cluster.nodes[0]!, "POST", "/api/auth/login", { body: { email, password: "cli password 123" } });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe("admin");
    // the same address again is refused with one line
    const again = await run(["create-admin", email, "Ops Admin"], { ADMIN_PASSWORD: "cli password 123" });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists/);
    // password from standard input when ADMIN_PASSWORD is unset
    const piped = await run(["create-admin", uniqueEmail("cli2"), "Second"], {}, "piped password 1\n");
    expect(piped.status).toBe(0);

    const learner = uniqueEmail("learner");
    expect(
      (
        await api(cluster.nodes[0]!, "POST", "/api/auth/register", {
          body: { email: learner, password: "learner pw 1", displayName: "L" },
        })
      ).status,
    ).toBe(201);
    const promoted = await run(["promote", learner, "mentor"]);
    expect(promoted.status).toBe(0);
    const after = await api(cluster.nodes[0]!, "POST", "/api/auth/login", { body: { email: learner, password: "learner pw 1" } });
    expect(after.body.user.role).toBe("mentor");
    expect((await run(["promote", learner, "king"])).status).toBe(2);
    expect((await run(["promote", uniqueEmail("nobody"), "admin"])).status).toBe(2);
    expect((await run(["frobnicate"])).stderr).toMatch(/usage/);
  }, 60_000);
});
