import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { api, makeUser } from "../support/rest.js";
import { JWT_SECRET, type Node } from "../support/servers.js";
import { connect } from "../support/sockets.js";

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

describe("access tokens", () => {
  let cluster: Cluster;
  let node: Node;
  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0]!;
  });
  afterAll(async () => {
    await cluster?.close();
  });

  async function expect401(token: string) {
    const res = await api(node, "GET", "/api/me", { token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("UNAUTHORIZED");
    const cohorts = await api(node, "GET", "/api/cohorts", { token });
    expect(cohorts.status).toBe(401);
  }

  it("issues HS256 tokens with sub, role and exp at most 15 minutes ahead", async () => {
    const u = await makeUser(node);
    const decoded = jwt.verify(u.accessToken, JWT_SECRET, { algorithms: ["HS256"], complete: true });
    expect(decoded.header.alg).toBe("HS256");
    const payload = decoded.payload as jwt.JwtPayload;
    expect(payload.sub).toBe(u.id);
    expect(payload.role).toBe("learner");
    expect(payload.exp! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(15 * 60);
    expect(payload.exp! - Math.floor(Date.now() / 1000)).toBeGreaterThan(0);
  });

  it("rejects an expired token", async () => {
    const u = await makeUser(node);
    const expired = jwt.sign({ sub: u.id, role: "learner", exp: Math.floor(Date.now() / 1000) - 60 }, JWT_SECRET, {
      algorithm: "HS256",
    });
    await expect401(expired);
  });

  it("rejects a token signed with another secret", async () => {
    const u = await makeUser(node);
    await expect401(
      jwt.sign({ role: "learner" }, "another-secret-0123456789", { algorithm: "HS256", subject: u.id, expiresIn: 600 }),
    );
  });

  it("rejects alg none", async () => {
    const u = await makeUser(node);
    const exp = Math.floor(Date.now() / 1000) + 600;
    await expect401(`${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: u.id, role: "admin", exp })}.`);
    await expect401(`${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: u.id, role: "admin", exp })}`);
  });

  it("rejects a tampered payload (role or sub changed, signature kept)", async () => {
    const u = await makeUser(node);
    const victim = await makeUser(node);
    const [header, payload, signature] = u.accessToken.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    await expect401(`${header}.${b64({ ...claims, role: "admin" })}.${signature}`);
    await expect401(`${header}.${b64({ ...claims, sub: victim.id })}.${signature}`);
    await expect401(`${header}.${payload}.${signature.slice(0, -2)}xx`);
    await expect401("not-a-jwt");
  });

  it("ignores the role claim: permissions come from the database", async () => {
    const u = await makeUser(node);
    const forgedRole = jwt.sign({ role: "admin" }, JWT_SECRET, { algorithm: "HS256", subject: u.id, expiresIn: 600 });
    const res = await api(node, "POST", "/api/cohorts", { token: forgedRole, body: { name: "Nope", slug: "nope" } });
    expect(res.status).toBe(403);
  });

  it("rejects the token of a deleted user, and its refresh token", async () => {
    const u = await makeUser(node);
    await sql(cluster.dbUrl, "DELETE FROM users WHERE id = $1", [u.id]);
    await expect401(u.accessToken);
    const refreshed = await api(node, "POST", "/api/auth/refresh", { body: { refreshToken: u.refreshToken } });
    expect(refreshed.status).toBe(401);
  });

  it("rejects a valid-looking token for a user that never existed", async () => {
    await expect401(
      jwt.sign({ role: "admin" }, JWT_SECRET, { algorithm: "HS256", subject: crypto.randomUUID(), expiresIn: 600 }),
    );
    await expect401(jwt.sign({ role: "admin" }, JWT_SECRET, { algorithm: "HS256", subject: "not-a-uuid", expiresIn: 600 }));
  });

  it("the socket handshake uses the same verification", async () => {
    const u = await makeUser(node);
    const socket = await connect(node, u.accessToken);
    expect(socket.connected).toBe(true);
    socket.close();
    const forged = jwt.sign({ role: "learner" }, "another-secret-0123456789", {
      algorithm: "HS256",
      subject: u.id,
      expiresIn: 600,
    });
    const err = await connect(node, forged).then(
      (s) => (s.close(), null),
      (e: { data?: { code?: string } }) => e,
    );
    expect(err?.data?.code).toBe("UNAUTHORIZED");
  });
});
