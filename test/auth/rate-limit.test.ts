import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { api, uniqueEmail } from "../support/rest.js";

const LIMIT = 5;

describe("AUTH_RATE_LIMIT per client IP, shared by every node", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    // TRUST_PROXY lets the test speak for several client addresses through X-Forwarded-For
    cluster = await startCluster(2, { env: { AUTH_RATE_LIMIT: String(LIMIT), TRUST_PROXY: "true" } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  const from = (ip: string) => ({ "x-forwarded-for": ip });

  it("counts requests on both nodes together; beyond the limit 429 with Retry-After, same for known and unknown emails", async () => {
    const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const known = uniqueEmail("known");
    const reg = await api(a, "POST", "/api/auth/register", {
      headers: from("203.0.113.50"),
      body: { email: known, password: "the password", displayName: "Known" },
    });
    expect(reg.status).toBe(201);

    const ip = from("203.0.113.7");
    const statuses: number[] = [];
    const bodies: unknown[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const node = i % 2 === 0 ? a : b;
      const email = i % 2 === 0 ? known : uniqueEmail("unknown");
      const res = await api(node, "POST", "/api/auth/login", { headers: ip, body: { email, password: "wrong password" } });
      statuses.push(res.status);
      bodies.push(res.body);
    }
    expect(statuses).toEqual(Array(LIMIT).fill(401));
    expect(new Set(bodies.map((x) => JSON.stringify(x))).size).toBe(1);

    // the limit is spent across both nodes: the next call is refused on either
    const limited = [
      await api(a, "POST", "/api/auth/login", { headers: ip, body: { email: known, password: "the password" } }),
      await api(b, "POST", "/api/auth/login", { headers: ip, body: { email: uniqueEmail("unknown"), password: "the password" } }),
      await api(b, "POST", "/api/auth/refresh", { headers: ip, body: { refreshToken: reg.body.refreshToken } }),
      await api(a, "POST", "/api/auth/register", {
        headers: ip,
        body: { email: uniqueEmail(), password: "long enough", displayName: "X" },
      }),
    ];
    for (const res of limited) {
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe("RATE_LIMITED");
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    expect(limited[0]!.body).toEqual(limited[1]!.body);

    // another client address is unaffected, and so are routes outside /api/auth
    const other = await api(b, "POST", "/api/auth/login", {
      headers: from("203.0.113.8"),
      body: { email: known, password: "the password" },
    });
    expect(other.status).toBe(200);
    const me = await api(a, "GET", "/api/me", { headers: ip, token: reg.body.accessToken });
    expect(me.status).toBe(200);
  });
});
