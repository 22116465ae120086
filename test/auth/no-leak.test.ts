import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, uniqueEmail } from "../support/rest.js";
import { ADMIN_EMAIL, type Node } from "../support/servers.js";
import { connect } from "../support/sockets.js";

/**
 * Runs every auth and cohort flow on two nodes at debug level, recording every response body, then
 * checks that no password, password hash, refresh token or refresh token hash appears in any log line,
 * and that responses never carry a password or a hash (refresh tokens only in the response issuing them).
 */
describe("secrets never reach a log line or a response", () => {
  let cluster: Cluster;
  let a: Node;
  let b: Node;
  const bodies: { text: string; issued?: string }[] = [];
  const passwords = new Set<string>();
  const refreshTokens = new Set<string>();
  const accessTokens = new Set<string>();

  beforeAll(async () => {
    cluster = await startCluster(2, { env: { LOG_LEVEL: "trace", AUTH_RATE_LIMIT: "1000" } });
    [a, b] = cluster.nodes as [Node, Node];
  });
  afterAll(async () => {
    await cluster?.close();
  });

  async function call(
    node: Node,
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const res = await api(node, method, path, opts);
    const issued = typeof res.body?.refreshToken === "string" ? (res.body.refreshToken as string) : undefined;
    if (issued) refreshTokens.add(issued);
    if (typeof res.body?.accessToken === "string") accessTokens.add(res.body.accessToken as string);
    bodies.push({ text: typeof res.body === "string" ? res.body : JSON.stringify(res.body), issued });
    return res;
  }

  it("runs every flow", async () => {
    const pw = (tag: string) => {
      const p = `Secret-${tag}-${Math.random().toString(36).slice(2)}`;
      passwords.add(p);
      return p;
    };
    const adminPw = pw("admin");
    const admin = await call(a, "POST", "/api/auth/register", {
      body: { email: ADMIN_EMAIL, password: adminPw, displayName: "Admin" },
    });
    const mentorEmail = uniqueEmail("mentor");
    const mentorPw = pw("mentor");
    const mentor = await call(b, "POST", "/api/auth/register", {
      body: { email: mentorEmail, password: mentorPw, displayName: "Mentor" },
    });
    await call(a, "PATCH", `/api/users/${mentor.body.user.id}/role`, { token: admin.body.accessToken, body: { role: "mentor" } });
    const learnerEmail = uniqueEmail("learner");
    const learnerPw = pw("learner");
    const learner = await call(a, "POST", "/api/auth/register", {
      body: { email: learnerEmail, password: learnerPw, displayName: "Learner" },
    });

    // duplicate, bad credentials, bad payloads carrying passwords
    await call(b, "POST", "/api/auth/register", {
      body: { email: learnerEmail.toUpperCase(), password: pw("dup"), displayName: "Dup" },
    });
    await call(a, "POST", "/api/auth/login", { body: { email: learnerEmail, password: pw("wrong") } });
    await call(b, "POST", "/api/auth/login", { body: { email: uniqueEmail("ghost"), password: pw("ghost") } });
    await call(a, "POST", "/api/auth/register", { body: { email: "not-an-email", password: pw("invalid"), displayName: "X" } });
    await call(a, "POST", "/api/auth/register", {
      body: { email: uniqueEmail(), password: pw("short").slice(0, 7), displayName: "X" },
    });
    await call(b, "POST", "/api/auth/login", { body: `{"email":"${learnerEmail}","password":"${pw("malformed")}"` });
    await call(b, "POST", `/api/auth/login?password=${pw("query")}`, { body: { email: learnerEmail, password: learnerPw } });

    // sessions: login, rotation, reuse, logout, logout-all, password change
    const login = await call(b, "POST", "/api/auth/login", { body: { email: learnerEmail.toUpperCase(), password: learnerPw } });
    const rotated = await call(a, "POST", "/api/auth/refresh", { body: { refreshToken: login.body.refreshToken } });
    await call(b, "POST", "/api/auth/refresh", { body: { refreshToken: login.body.refreshToken } });
    await call(a, "POST", "/api/auth/refresh", { body: { refreshToken: rotated.body.refreshToken } });
    await call(a, "POST", "/api/auth/logout", { body: { refreshToken: learner.body.refreshToken } });
    await call(b, "POST", "/api/auth/logout-all", { token: mentor.body.accessToken });
    await call(a, "POST", "/api/auth/password", {
      token: learner.body.accessToken,
      body: { currentPassword: pw("wrong-current"), newPassword: pw("unused") },
    });
    const newPw = pw("new");
    await call(b, "POST", "/api/auth/password", {
      token: learner.body.accessToken,
      body: { currentPassword: learnerPw, newPassword: newPw },
    });
    const relogin = await call(a, "POST", "/api/auth/login", { body: { email: learnerEmail, password: newPw } });
    await call(a, "POST", "/api/auth/password", {
      token: relogin.body.accessToken,
      body: { currentPassword: newPw, newPassword: "short" },
    });

    // users and cohorts
    await call(a, "GET", "/api/me", { token: relogin.body.accessToken });
    await call(b, "GET", `/api/users?email=${encodeURIComponent(learnerEmail)}`, { token: mentor.body.accessToken });
    await call(b, "GET", `/api/users?email=${encodeURIComponent(learnerEmail)}`, { token: relogin.body.accessToken });
    const cohort = await call(a, "POST", "/api/cohorts", {
      token: mentor.body.accessToken,
      body: { name: "Leak check", slug: "leak-check" },
    });
    const cid = cohort.body.cohort.id as string;
    await call(b, "POST", `/api/cohorts/${cid}/members`, {
      token: mentor.body.accessToken,
      body: { userId: learner.body.user.id, role: "learner" },
    });
    await call(a, "GET", `/api/cohorts/${cid}/members`, { token: relogin.body.accessToken });
    await call(b, "GET", `/api/cohorts/${cid}/members`, { token: admin.body.accessToken });
    await call(a, "GET", "/api/cohorts", { token: relogin.body.accessToken });
    await call(b, "DELETE", `/api/cohorts/${cid}/members/${learner.body.user.id}`, { token: mentor.body.accessToken });
    await call(a, "GET", `/api/cohorts/${cid}`, { token: relogin.body.accessToken });

    // tokens in headers of failing requests, and a socket handshake
    await call(a, "GET", "/api/me", { token: `${relogin.body.accessToken}x` });
    await call(b, "GET", "/api/nowhere", {
      token: relogin.body.accessToken,
      headers: { cookie: `refresh=${relogin.body.refreshToken}` },
    });
    const socket = await connect(b, relogin.body.accessToken);
    socket.close();
    await connect(a, `${relogin.body.accessToken}x`).then(
      (s) => s.close(),
      () => undefined,
    );
    expect(bodies.length).toBeGreaterThan(30);
  });

  it("no secret in any log line or response body", async () => {
    const hashes = (await sql<{ password_hash: string }>(cluster.dbUrl, "SELECT password_hash FROM users")).map(
      (r) => r.password_hash,
    );
    const tokenHashes = (await sql<{ token_hash: string }>(cluster.dbUrl, "SELECT token_hash FROM refresh_tokens")).map(
      (r) => r.token_hash,
    );
    expect(hashes.length).toBeGreaterThanOrEqual(3);
    expect(tokenHashes.length).toBeGreaterThanOrEqual(5);
    for (const h of hashes) expect(h).toMatch(/^scrypt\$/);

    // give the last log lines a moment to arrive
    await new Promise((r) => setTimeout(r, 200));
    const logs = [...a.logs, ...b.logs].join("\n");
    expect(logs).toContain('"msg":"request"');
    const secretsForLogs = [...passwords, ...hashes, ...tokenHashes, ...refreshTokens, ...accessTokens];
    for (const s of secretsForLogs) expect(logs.includes(s), `log leaks ${s.slice(0, 12)}…`).toBe(false);
    expect(logs).not.toMatch(/scrypt\$/);
    expect(logs).not.toMatch(/password_hash|passwordHash/);

    for (const { text, issued } of bodies) {
      for (const s of [...passwords, ...hashes, ...tokenHashes])
        expect(text.includes(s), `response leaks ${s.slice(0, 12)}…`).toBe(false);
      expect(text).not.toMatch(/scrypt\$|password_hash|passwordHash/);
      for (const t of refreshTokens) if (t !== issued) expect(text.includes(t)).toBe(false);
    }
  });
});
