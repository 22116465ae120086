import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { adminOf, api, makeUser, uniqueEmail } from "../support/rest.js";
import { ADMIN_EMAIL, type Node } from "../support/servers.js";

describe("auth flows", () => {
  let cluster: Cluster;
  let node: Node;
  beforeAll(async () => {
    // a second admin address, written in mixed case, to show ADMIN_EMAILS matches in any letter case
    cluster = await startCluster(1, { env: { ADMIN_EMAILS: `${ADMIN_EMAIL}, Boss@Cohort.Test` } });
    node = cluster.nodes[0]!;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const register = (email: string, password = "correct horse", displayName = "Someone") =>
    api(node, "POST", "/api/auth/register", { body: { email, password, displayName } });
  const login = (email: string, password: string) => api(node, "POST", "/api/auth/login", { body: { email, password } });
  const refresh = (refreshToken: string) => api(node, "POST", "/api/auth/refresh", { body: { refreshToken } });

  it("registers a learner, lower-cases the email and never returns a hash", async () => {
    const email = uniqueEmail("Mixed").replace("mixed", "MiXeD");
    const res = await register(email, "correct horse", "Mixed Case");
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      email: email.toLowerCase(),
      displayName: "Mixed Case",
      role: "learner",
      createdAt: expect.any(String),
    });
    expect(new Date(res.body.user.createdAt).toISOString()).toBe(res.body.user.createdAt);
    expect(res.body.accessToken).toEqual(expect.any(String));
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await sql<{ email: string; password_hash: string }>(
      cluster.dbUrl,
      "SELECT email, password_hash FROM users WHERE id = $1",
      [res.body.user.id],
    );
    expect(row!.email).toBe(email.toLowerCase());
    expect(row!.password_hash).not.toContain("correct horse");
    expect(JSON.stringify(res.body)).not.toContain(row!.password_hash);
  });

  it("stores refresh tokens only as sha256 hashes valid for 30 days", async () => {
    const res = await register(uniqueEmail());
    const rows = await sql<{ token_hash: string; days: number }>(
      cluster.dbUrl,
      "SELECT token_hash, extract(epoch FROM expires_at - created_at) / 86400 AS days FROM refresh_tokens WHERE user_id = $1",
      [res.body.user.id],
    );
    expect(rows).toHaveLength(1);
    const { createHash } = await import("node:crypto");
    expect(rows[0]!.token_hash).toBe(createHash("sha256").update(res.body.refreshToken).digest("hex"));
    expect(Number(rows[0]!.days)).toBeCloseTo(30, 3);
  });

  it("rejects a duplicate email in another letter case with 409", async () => {
    const email = uniqueEmail("dup");
    expect((await register(email)).status).toBe(201);
    const again = await register(email.toUpperCase());
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("CONFLICT");
  });

  it("makes ADMIN_EMAILS admins in any letter case, and ignores a role in the register body", async () => {
    const res = await api(node, "POST", "/api/auth/register", {
      body: { email: "bOSS@cohort.test", password: "admin password", displayName: "Boss" },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ role: "admin", email: "boss@cohort.test" });
    expect((await adminOf(node)).role).toBe("admin");
    const sneaky = await api(node, "POST", "/api/auth/register", {
      body: { email: uniqueEmail(), password: "long enough", displayName: "Sneaky", role: "admin" },
    });
    expect(sneaky.status).toBe(201);
    expect(sneaky.body.user.role).toBe("learner");
  });

  it("logs in with the email in any letter case; one message for unknown email and wrong password", async () => {
    const email = uniqueEmail();
    await register(email, "the password");
    const ok = await login(email.toUpperCase(), "the password");
    expect(ok.status).toBe(200);
    expect(ok.body.user.email).toBe(email);
    expect(ok.body.refreshToken).toEqual(expect.any(String));
    const me = await api(node, "GET", "/api/me", { token: ok.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: ok.body.user });

    const wrong = await login(email, "not the password");
    const unknown = await login(uniqueEmail("nobody"), "not the password");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe("UNAUTHORIZED");
  });

  it("rotates refresh tokens: each is single use and the new one works", async () => {
    const reg = await register(uniqueEmail());
    const first = await refresh(reg.body.refreshToken);
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(["accessToken", "refreshToken"]);
    expect(first.body.refreshToken).not.toBe(reg.body.refreshToken);
    const me = await api(node, "GET", "/api/me", { token: first.body.accessToken });
    expect(me.body.user.id).toBe(reg.body.user.id);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
  });

  it("a reused refresh token revokes its whole family, and other logins are unaffected", async () => {
    const email = uniqueEmail();
    const reg = await register(email, "password one");
    const other = await login(email, "password one");
    const rotated = await refresh(reg.body.refreshToken);
    expect(rotated.status).toBe(200);

    const reuse = await refresh(reg.body.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe("UNAUTHORIZED");
    // the legitimate successor of the stolen token is revoked too
    expect((await refresh(rotated.body.refreshToken)).status).toBe(401);
    // the other login (another family) still works
    const otherRotated = await refresh(other.body.refreshToken);
    expect(otherRotated.status).toBe(200);
    expect((await refresh(otherRotated.body.refreshToken)).status).toBe(200);
  });

  it("an unknown or expired refresh token is 401", async () => {
    expect((await refresh("A".repeat(43))).status).toBe(401);
    const reg = await register(uniqueEmail());
    await sql(cluster.dbUrl, "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1", [
      reg.body.user.id,
    ]);
    const res = await refresh(reg.body.refreshToken);
    expect(res.status).toBe(401);
  });

  it("logout revokes that login's refresh token only", async () => {
    const email = uniqueEmail();
    const reg = await register(email, "password one");
    const other = await login(email, "password one");
    const out = await api(node, "POST", "/api/auth/logout", { body: { refreshToken: reg.body.refreshToken } });
    expect(out.status).toBe(204);
    expect((await refresh(reg.body.refreshToken)).status).toBe(401);
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
    // logging out twice, or with an unknown token, is still 204
    expect((await api(node, "POST", "/api/auth/logout", { body: { refreshToken: reg.body.refreshToken } })).status).toBe(204);
    expect((await api(node, "POST", "/api/auth/logout", { body: { refreshToken: "nope" } })).status).toBe(204);
  });

  it("logout-all revokes every refresh token of the caller and no one else's", async () => {
    const email = uniqueEmail();
    const a = await register(email, "password one");
    const b = await login(email, "password one");
    const c = await login(email, "password one");
    const bystander = await register(uniqueEmail());
    expect((await api(node, "POST", "/api/auth/logout-all")).status).toBe(401);
    const res = await api(node, "POST", "/api/auth/logout-all", { token: b.body.accessToken });
    expect(res.status).toBe(204);
    for (const t of [a, b, c]) expect((await refresh(t.body.refreshToken)).status).toBe(401);
    expect((await refresh(bystander.body.refreshToken)).status).toBe(200);
    // a fresh login works again
    expect((await login(email, "password one")).status).toBe(200);
  });

  it("password change needs the current password and revokes every refresh token", async () => {
    const email = uniqueEmail();
    const a = await register(email, "old password");
    const b = await login(email, "old password");
    const wrong = await api(node, "POST", "/api/auth/password", {
      token: a.body.accessToken,
      body: { currentPassword: "not it at all", newPassword: "new password" },
    });
    expect(wrong.status).toBe(401);
    expect((await refresh(b.body.refreshToken)).status).toBe(200);
    const c = await login(email, "old password");

    const ok = await api(node, "POST", "/api/auth/password", {
      token: a.body.accessToken,
      body: { currentPassword: "old password", newPassword: "new password" },
    });
    expect(ok.status).toBe(204);
    expect((await refresh(a.body.refreshToken)).status).toBe(401);
    expect((await refresh(c.body.refreshToken)).status).toBe(401);
    expect((await login(email, "old password")).status).toBe(401);
    expect((await login(email, "new password")).status).toBe(200);
    expect(
      (await api(node, "POST", "/api/auth/password", { body: { currentPassword: "x", newPassword: "yyyyyyyy" } })).status,
    ).toBe(401);
  });

  it("GET /api/me needs a token and never shows a password hash", async () => {
    expect((await api(node, "GET", "/api/me")).status).toBe(401);
    expect((await api(node, "GET", "/api/me", { headers: { authorization: "Basic abc" } })).status).toBe(401);
    const u = await makeUser(node);
    const me = await api(node, "GET", "/api/me", { token: u.accessToken });
    expect(Object.keys(me.body.user).sort()).toEqual(["createdAt", "displayName", "email", "id", "role"]);
  });

  it("user lookup by email: mentors and admins, exact address in any letter case", async () => {
    const admin = await adminOf(node);
    const mentor = await makeUser(node, "mentor");
    const learner = await makeUser(node, "learner", "Findable");
    for (const who of [admin, mentor]) {
      const res = await api(node, "GET", `/api/users?email=${encodeURIComponent(learner.email.toUpperCase())}`, {
        token: who.accessToken,
      });
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ id: learner.id, email: learner.email, displayName: "Findable" });
    }
    // exact match only: a prefix finds nothing
    const prefix = await api(node, "GET", `/api/users?email=${encodeURIComponent(learner.email.slice(0, -1))}`, {
      token: mentor.accessToken,
    });
    expect(prefix.status).toBe(404);
    const miss = await api(node, "GET", `/api/users?email=${encodeURIComponent(uniqueEmail())}`, { token: admin.accessToken });
    expect(miss.status).toBe(404);
    const denied = await api(node, "GET", `/api/users?email=${encodeURIComponent(mentor.email)}`, { token: learner.accessToken });
    expect(denied.status).toBe(403);
    expect(JSON.stringify(denied.body)).not.toContain(mentor.email);
    expect((await api(node, "GET", `/api/users?email=${encodeURIComponent(mentor.email)}`)).status).toBe(401);
  });

  it("role change is for admins only and counts from the next request", async () => {
    const admin = await adminOf(node);
    const mentor = await makeUser(node, "mentor");
    const learner = await makeUser(node);
    const byMentor = await api(node, "PATCH", `/api/users/${learner.id}/role`, {
      token: mentor.accessToken,
      body: { role: "admin" },
    });
    expect(byMentor.status).toBe(403);
    const bySelf = await api(node, "PATCH", `/api/users/${learner.id}/role`, {
      token: learner.accessToken,
      body: { role: "admin" },
    });
    expect(bySelf.status).toBe(403);

    // the learner's existing token says "learner"; permissions follow the database
    expect(
      (await api(node, "POST", "/api/cohorts", { token: learner.accessToken, body: { name: "X", slug: "x-before" } })).status,
    ).toBe(403);
    const res = await api(node, "PATCH", `/api/users/${learner.id}/role`, { token: admin.accessToken, body: { role: "mentor" } });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: learner.id, role: "mentor", email: learner.email });
    expect(
      (await api(node, "POST", "/api/cohorts", { token: learner.accessToken, body: { name: "X", slug: "x-after" } })).status,
    ).toBe(201);
    expect((await api(node, "GET", "/api/me", { token: learner.accessToken })).body.user.role).toBe("mentor");
    // a fresh token carries the new role claim
    const relog = await login(learner.email, learner.password);
    const claims = JSON.parse(Buffer.from(relog.body.accessToken.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ sub: learner.id, role: "mentor" });
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(15 * 60);
  });
});
