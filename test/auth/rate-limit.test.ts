import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCluster, type Cluster } from "../support/clusters.js";
import { api, uniqueEmail, type ApiResponse } from "../support/rest.js";
import type { Node } from "../support/servers.js";

const LIMIT = 5;
const LOGIN_LIMIT = 6;
const FAILURES = 3;
const REFRESH_LIMIT = 12;

const from = (ip: string) => ({ "x-forwarded-for": ip });

function expectLimited(res: ApiResponse) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe("RATE_LIMITED");
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
}

describe("auth rate limits: separate buckets, shared by every node", () => {
  let cluster: Cluster;
  let a: Node;
  let b: Node;
  beforeAll(async () => {
    // TRUST_PROXY=1: the test speaks for several client addresses through X-Forwarded-For (the "proxy" hop)
    cluster = await startCluster(2, {
      env: {
        AUTH_RATE_LIMIT: String(LIMIT),
        LOGIN_RATE_LIMIT: String(LOGIN_LIMIT),
        LOGIN_FAILURE_LIMIT: String(FAILURES),
        REFRESH_RATE_LIMIT: String(REFRESH_LIMIT),
        TRUST_PROXY: "1",
      },
    });
    [a, b] = cluster.nodes as [Node, Node];
  });
  afterAll(async () => {
    await cluster?.close();
  });

  async function register(ip: string) {
    const email = uniqueEmail("known");
    const res = await api(a, "POST", "/api/auth/register", {
      headers: from(ip),
      body: { email, password: "the password", displayName: "Known" },
    });
    expect(res.status).toBe(201);
    return { email, refreshToken: res.body.refreshToken as string, accessToken: res.body.accessToken as string };
  }

  it("login per IP: both nodes count together; same answer for known and unknown emails; other buckets unaffected", async () => {
    const ip = "203.0.113.7";
    const known = await register("203.0.113.50");
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const res = await api(i % 2 ? b : a, "POST", "/api/auth/login", {
        headers: from(ip),
        // a different account each time, so the per-account failure limit is not what stops them
        body: { email: i === 0 ? known.email : uniqueEmail("unknown"), password: i === 0 ? "the password" : "wrong" },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, ...Array(LOGIN_LIMIT - 1).fill(401)]);
    expectLimited(await api(b, "POST", "/api/auth/login", { headers: from(ip), body: { email: known.email, password: "x" } }));
    // refresh and register have their own buckets: a classroom behind this address still refreshes
    expect(
      (await api(a, "POST", "/api/auth/refresh", { headers: from(ip), body: { refreshToken: known.refreshToken } })).status,
    ).toBe(200);
    expect(
      (
        await api(b, "POST", "/api/auth/register", {
          headers: from(ip),
          body: { email: uniqueEmail(), password: "long enough", displayName: "X" },
        })
      ).status,
    ).toBe(201);
    // another address logs in
    expect(
      (
        await api(b, "POST", "/api/auth/login", {
          headers: from("203.0.113.8"),
          body: { email: known.email, password: "the password" },
        })
      ).status,
    ).toBe(200);
  });

  it("failed logins per account, from any address: beyond LOGIN_FAILURE_LIMIT even the right password gets 429", async () => {
    const victim = await register("203.0.113.60");
    for (let i = 0; i < FAILURES; i++) {
      const res = await api(i % 2 ? b : a, "POST", "/api/auth/login", {
        headers: from(`198.51.100.${i + 1}`),
        body: { email: victim.email.toUpperCase(), password: "guess" },
      });
      expect(res.status).toBe(401);
    }
    expectLimited(
      await api(a, "POST", "/api/auth/login", {
        headers: from("198.51.100.99"),
        body: { email: victim.email, password: "the password" },
      }),
    );
    // successful logins do not count: another account is fine from the same addresses
    const fine = await register("203.0.113.61");
    for (let i = 0; i < FAILURES + 1; i++) {
      expect(
        (
          await api(b, "POST", "/api/auth/login", {
            headers: from(`198.51.100.${i + 1}`),
            body: { email: fine.email, password: "the password" },
          })
        ).status,
      ).toBe(200);
    }
  });

  it("register per IP and refresh per IP (generous) each have their own limit", async () => {
    const ip = "192.0.2.20";
    for (let i = 0; i < LIMIT; i++) {
      const res = await api(i % 2 ? b : a, "POST", "/api/auth/register", {
        headers: from(ip),
        body: { email: uniqueEmail(), password: "long enough", displayName: "X" },
      });
      expect(res.status).toBe(201);
    }
    expectLimited(
      await api(a, "POST", "/api/auth/register", {
        headers: from(ip),
        body: { email: uniqueEmail(), password: "long enough", displayName: "X" },
      }),
    );

    const session = await register("192.0.2.21");
    let token = session.refreshToken;
    const refreshIp = "192.0.2.22";
    for (let i = 0; i < REFRESH_LIMIT; i++) {
      const res = await api(i % 2 ? b : a, "POST", "/api/auth/refresh", {
        headers: from(refreshIp),
        body: { refreshToken: token },
      });
      expect(res.status).toBe(200);
      token = res.body.refreshToken;
    }
    expectLimited(await api(a, "POST", "/api/auth/refresh", { headers: from(refreshIp), body: { refreshToken: token } }));
    // routes outside /api/auth are not limited
    expect((await api(a, "GET", "/api/me", { headers: from(refreshIp), token: session.accessToken })).status).toBe(200);
  });
});
