import jwt from "jsonwebtoken";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPIRY_GRACE_MS } from "../../src/realtime/connections.js";
import { type Cluster, startCluster } from "../support/clusters.js";
import { makeUser, newId, type TestUser } from "../support/rest.js";
import { JWT_SECRET } from "../support/servers.js";
import { type ClientSocket, connect, disconnected, emitAck, nextEvent, okAck } from "../support/sockets.js";
import { sleep } from "../support/time.js";

const sign = (sub: string, expiresInSec: number, secret = JWT_SECRET) =>
  jwt.sign({ role: "learner" }, secret, { algorithm: "HS256", subject: sub, expiresIn: expiresInSec });

async function refused(url: string, token: string | undefined): Promise<{ code?: string }> {
  try {
    const s = await connect(url, token);
    s.close();
  } catch (err) {
    return ((err as { data?: { code?: string } }).data ?? {}) as { code?: string };
  }
  throw new Error("connection was accepted");
}

describe("socket authentication across two nodes", () => {
  let cluster: Cluster;
  let user: TestUser;
  let other: TestUser;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    cluster = await startCluster(2);
    [user, other] = await Promise.all([makeUser(cluster.nodes[0]!), makeUser(cluster.nodes[0]!)]);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  it("refuses missing, forged, expired and malformed tokens at connect with UNAUTHORIZED", async () => {
    for (const node of cluster.nodes) {
      const cases: [string, string | undefined][] = [
        ["missing", undefined],
        ["empty", ""],
        ["garbage", "not-a-jwt"],
        ["forged", sign(user.id, 600, "another-secret-0123456789abcdef")],
        ["expired", sign(user.id, -60)],
        ["alg none", jwt.sign({ role: "admin" }, "", { algorithm: "none", subject: user.id, expiresIn: 600 })],
        ["unknown user", sign(newId(), 600)],
        ["tampered", user.accessToken.slice(0, -4) + (user.accessToken.endsWith("AAAA") ? "BBBB" : "AAAA")],
      ];
      for (const [name, token] of cases) {
        expect(await refused(node.url, token), name).toMatchObject({ code: "UNAUTHORIZED" });
      }
    }
    // a good token connects on either node
    for (const node of cluster.nodes) {
      const s = await connect(node, user.accessToken);
      sockets.push(s);
      expect(s.connected).toBe(true);
    }
  });

  it("an expiring socket gets auth:expired and is disconnected, unless auth:refresh renews it", { timeout: 45_000 }, async () => {
    const [n0, n1] = cluster.nodes;
    const doomed = await connect(n0!, sign(user.id, 2));
    const kept = await connect(n1!, sign(user.id, 2));
    sockets.push(doomed, kept);
    const doomedGone = disconnected(doomed, 30_000);
    const [expiredDoomed, expiredKept] = await Promise.all([nextEvent(doomed, "auth:expired"), nextEvent(kept, "auth:expired")]);
    expect(expiredDoomed).toEqual({ exp: expect.any(Number) });
    expect(expiredKept.exp * 1000).toBeLessThanOrEqual(Date.now());

    // the refresh must be a valid token of the same user
    expect(await emitAck(kept, "auth:refresh", { token: other.accessToken })).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN" },
    });
    expect(await emitAck(kept, "auth:refresh", { token: sign(user.id, -5) })).toMatchObject({
      ok: false,
      error: { code: "UNAUTHORIZED" },
    });
    const refreshed = await emitAck(kept, "auth:refresh", { token: user.accessToken });
    expect(refreshed).toEqual({ ok: true, exp: expect.any(Number) });
    expect(okAck(refreshed).exp * 1000).toBeGreaterThan(Date.now());

    expect(await doomedGone).toBe("io server disconnect");
    // past the moment it would have been disconnected (same exp, same 10 s grace), the refreshed socket is still served
    await sleep(2000);
    expect(kept.connected).toBe(true);
    expect(await emitAck(kept, "notifications:sync", {})).toMatchObject({ ok: true });
  });

  it("the grace after auth:expired leaves room inside the contract's 'disconnected within 10 s'", () => {
    expect(EXPIRY_GRACE_MS).toBeGreaterThanOrEqual(5_000);
    expect(EXPIRY_GRACE_MS).toBeLessThanOrEqual(9_000);
  });

  it("a socket that refreshes before expiry never gets auth:expired", { timeout: 30_000 }, async () => {
    const s = await connect(cluster.nodes[1]!, sign(user.id, 3));
    sockets.push(s);
    let expired = 0;
    s.on("auth:expired", () => expired++);
    expect(await emitAck(s, "auth:refresh", { token: user.accessToken })).toMatchObject({ ok: true });
    await sleep(4000);
    expect(expired).toBe(0);
    expect(s.connected).toBe(true);
  });
});
