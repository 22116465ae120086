/** /metrics labels and METRICS_PORT, TRUST_PROXY forms, and the HTTP server's slow-client and connection limits. */
import net from "node:net";
import { io as ioClient } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { startCluster } from "../support/clusters.js";
import { api, uniqueEmail } from "../support/rest.js";
import type { Node } from "../support/servers.js";
import { freePort } from "../support/ports.js";

type Embedded = Node & { close(): Promise<void> };

/** One node on the test PostgreSQL (starts faster than the embedded database on a busy machine). */
async function startOne(env: Record<string, string>): Promise<Embedded> {
  const cluster = await startCluster(1, { redis: false, env });
  return Object.assign(cluster.nodes[0]!, { close: () => cluster.close() });
}

/** Connects with a bad token and the given X-Forwarded-For; resolves with the connect_error code. */
function handshakeError(node: Node, forwardedFor: string): Promise<string> {
  const socket = ioClient(node.url, {
    auth: { token: "not a token" },
    transports: ["websocket"],
    extraHeaders: { "x-forwarded-for": forwardedFor },
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
  });
  return new Promise((resolve) => {
    socket.once("connect", () => (socket.close(), resolve("connected")));
    socket.once("connect_error", (err: Error & { data?: { code?: string } }) => {
      socket.close();
      resolve(err.data?.code ?? err.message);
    });
  });
}

const routeLabels = (text: string) =>
  new Set([...text.matchAll(/cohort_live_http_requests_total\{[^}]*route="([^"]*)"/g)].map((m) => m[1]));

describe("/metrics: bounded route labels, duration histogram, METRICS_PORT", () => {
  let node: Embedded;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    node = await startOne({ METRICS_PORT: String(metricsPort) });
  });
  afterAll(async () => {
    await node?.close();
  });

  it("serves /metrics on METRICS_PORT only; PORT answers 404", async () => {
    expect((await api(node, "GET", "/metrics")).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("cohort_live_sockets_connected");
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/me`)).status).toBe(404);
  });

  it("counts unrouted requests (random paths, preflights, malformed JSON) as route=unmatched", async () => {
    for (let i = 0; i < 40; i++) await api(node, "GET", `/random-${i}-${Math.random().toString(36).slice(2)}`);
    await api(node, "OPTIONS", `/api/anything-${Date.now()}`, {
      headers: { origin: "http://example.test", "access-control-request-method": "POST" },
    });
    await api(node, "POST", `/api/auth/login?x=${Date.now()}`, { body: "{not json" });
    await api(node, "GET", "/api/cohorts/00000000-0000-4000-8000-000000000000");
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const labels = routeLabels(text);
    expect(labels.has("unmatched")).toBe(true);
    expect(labels.has("/api/cohorts/:id")).toBe(true);
    for (const label of labels) expect(label === "unmatched" || label.startsWith("/")).toBe(true);
    expect([...labels].filter((l) => l.includes("random") || l.includes("anything"))).toEqual([]);
    expect(labels.size).toBeLessThan(10);
    expect(text).toMatch(
      /cohort_live_http_request_duration_seconds_bucket\{[^}]*method="GET",route="\/api\/cohorts\/:id",status="401"/,
    );
  });
});

describe("TRUST_PROXY takes Express's trust-proxy forms", () => {
  it("parses false, a hop count and address/CIDR lists; refuses anything else", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, loopback,::1" }).trustProxy).toEqual(["10.0.0.0/8", "loopback", "::1"]);
    expect(() => loadConfig({ TRUST_PROXY: "maybe" })).toThrow(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/99" })).toThrow(/TRUST_PROXY/);
  });

  describe("behind one trusted proxy (TRUST_PROXY=1)", () => {
    let node: Embedded;
    beforeAll(async () => {
      node = await startOne({ TRUST_PROXY: "1", AUTH_RATE_LIMIT: "3", LOGIN_RATE_LIMIT: "3", CONNECT_RATE_LIMIT: "2" });
    });
    afterAll(async () => {
      await node?.close();
    });

    it("with one trusted hop a client-set left-most X-Forwarded-For does not change the rate-limited IP", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await api(node, "POST", "/api/auth/login", {
          // the proxy appended the address it saw (198.51.100.9); the client forged the rest
          headers: { "x-forwarded-for": `203.0.113.${i}, 198.51.100.9` },
          body: { email: uniqueEmail(), password: "wrong password" },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // another proxy-seen address has its own bucket
      const other = await api(node, "POST", "/api/auth/login", {
        headers: { "x-forwarded-for": "198.51.100.10" },
        body: { email: uniqueEmail(), password: "wrong password" },
      });
      expect(other.status).toBe(401);
    });

    it("Socket.IO handshakes take their client IP by the same rule (CONNECT_RATE_LIMIT bucket)", async () => {
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) codes.push(await handshakeError(node, `203.0.113.${i}, 198.51.100.9`));
      // the forged left-most addresses do not give new buckets: the third attempt from 198.51.100.9 is refused
      expect(codes).toEqual(["UNAUTHORIZED", "UNAUTHORIZED", "RATE_LIMITED"]);
      // another proxy-seen address (same TCP peer) has its own bucket
      expect(await handshakeError(node, "198.51.100.10")).toBe("UNAUTHORIZED");
    });
  });

  it("warns at start-up on TRUST_PROXY=true", async () => {
    const trusting = await startOne({ TRUST_PROXY: "true" });
    try {
      expect(trusting.logs.some((l) => l.includes('"level":"warn"') && l.includes("TRUST_PROXY=true"))).toBe(true);
    } finally {
      await trusting.close();
    }
  });
});

describe("HTTP server limits against slow clients", () => {
  let node: Embedded;
  beforeAll(async () => {
    node = await startOne({
      HTTP_HEADERS_TIMEOUT_MS: "1000",
      HTTP_REQUEST_TIMEOUT_MS: "2000",
      HTTP_KEEPALIVE_TIMEOUT_MS: "1000",
      MAX_CONNECTIONS: "6",
    });
  });
  afterAll(async () => {
    await node?.close();
  });

  const rawConnect = (port: number) =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => resolve(s));
      s.once("error", reject);
    });
  const closedWithin = (s: net.Socket, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (s.destroyed) return resolve(true);
      const t = setTimeout(() => resolve(false), ms);
      s.once("close", () => (clearTimeout(t), resolve(true)));
      s.on("error", () => undefined);
      // read what the server sends (a 408), so the socket sees the end and closes
      s.resume();
    });

  it("answers 408 and closes a connection whose headers do not arrive within HTTP_HEADERS_TIMEOUT_MS", async () => {
    const s = await rawConnect(node.port);
    let received = "";
    s.on("data", (d: Buffer) => (received += d.toString()));
    s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    const started = Date.now();
    expect(await closedWithin(s, 5000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it("closes, without an answer, a request whose body does not arrive within HTTP_REQUEST_TIMEOUT_MS", async () => {
    const s = await rawConnect(node.port);
    const started = Date.now();
    // complete headers (so the headers timeout is not what ends it), then a body that never finishes
    s.write("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    let received = "";
    s.on("data", (d: Buffer) => (received += d.toString()));
    expect(await closedWithin(s, 8000)).toBe(true);
    const elapsed = Date.now() - started;
    // the request was handed to the app already, so Node ends the connection rather than answer 408
    expect(received).toBe("");
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(5000);
  });

  it("closes an idle keep-alive connection after HTTP_KEEPALIVE_TIMEOUT_MS", async () => {
    const s = await rawConnect(node.port);
    let received = "";
    s.on("data", (d: Buffer) => (received += d.toString()));
    s.write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
    const answered = Date.now();
    const closed = await closedWithin(s, 8000);
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(closed).toBe(true);
    // about a second after the timeout here; Node's own default (5 s) would hold it longer
    expect(Date.now() - answered).toBeLessThan(4000);
  });

  it("caps concurrent connections at MAX_CONNECTIONS; the server answers again once they are gone", async () => {
    const held = await Promise.all(Array.from({ length: 10 }, () => rawConnect(node.port)));
    for (const s of held) s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    const closedAtOnce = await Promise.all(held.map((s) => closedWithin(s, 500)));
    expect(closedAtOnce.filter(Boolean).length).toBeGreaterThanOrEqual(4);
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await api(node, "GET", "/healthz")).status).toBe(200);
  });
});
