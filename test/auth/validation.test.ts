import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { adminOf, api, makeUser, newId, type TestUser, uniqueEmail } from "../support/rest.js";
import { type Node } from "../support/servers.js";

type Case = [label: string, body: unknown, status: number, code: string];

describe("bad input on the auth and user routes is a 4xx, never a 500", () => {
  let cluster: Cluster;
  let node: Node;
  let admin: TestUser;
  let user: TestUser;
  beforeAll(async () => {
    cluster = await startCluster(1);
    node = cluster.nodes[0]!;
    admin = await adminOf(node);
    user = await makeUser(node);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  async function check(method: string, path: string, cases: Case[], token?: string) {
    for (const [label, body, status, code] of cases) {
      const res = await api(node, method, path, { token, body });
      expect({ label, status: res.status, code: res.body?.error?.code }).toEqual({ label, status, code });
    }
  }

  const good = () => ({ email: uniqueEmail(), password: "long enough", displayName: "Someone" });

  it("POST /api/auth/register", async () => {
    await check("POST", "/api/auth/register", [
      ["no body", undefined, 400, "INVALID_PAYLOAD"],
      ["empty object", {}, 400, "INVALID_PAYLOAD"],
      ["array", [good()], 400, "INVALID_PAYLOAD"],
      ["malformed JSON", '{"email": "x@y.z", "password": ', 400, "INVALID_PAYLOAD"],
      ["JSON null", "null", 400, "INVALID_PAYLOAD"],
      ["missing email", { ...good(), email: undefined }, 400, "INVALID_PAYLOAD"],
      ["email a number", { ...good(), email: 42 }, 400, "INVALID_PAYLOAD"],
      ["email not an address", { ...good(), email: "not-an-email" }, 400, "INVALID_PAYLOAD"],
      [
        "email over 320",
        { ...good(), email: `${"a".repeat(64)}@${Array(5).fill("b".repeat(60)).join(".")}.com` },
        400,
        "INVALID_PAYLOAD",
      ],
      ["password missing", { ...good(), password: undefined }, 400, "INVALID_PAYLOAD"],
      ["password 7 chars", { ...good(), password: "1234567" }, 400, "INVALID_PAYLOAD"],
      ["password 129 chars", { ...good(), password: "p".repeat(129) }, 400, "INVALID_PAYLOAD"],
      ["password a number", { ...good(), password: 12345678 }, 400, "INVALID_PAYLOAD"],
      ["password an object", { ...good(), password: { length: 9 } }, 400, "INVALID_PAYLOAD"],
      ["displayName empty", { ...good(), displayName: "" }, 400, "INVALID_PAYLOAD"],
      ["displayName 81 chars", { ...good(), displayName: "d".repeat(81) }, 400, "INVALID_PAYLOAD"],
      ["displayName null", { ...good(), displayName: null }, 400, "INVALID_PAYLOAD"],
      ["displayName with NUL", { ...good(), displayName: "a\u0000b" }, 400, "INVALID_PAYLOAD"],
      ["body over 1 MB", { ...good(), displayName: "x".repeat(1_100_000) }, 413, "PAYLOAD_TOO_LARGE"],
    ]);
    // limits are counted in characters: 80 emoji and a 128-character password are fine
    const edge = await api(node, "POST", "/api/auth/register", {
      body: { email: uniqueEmail(), password: "🔑".repeat(128), displayName: "😀".repeat(80), extra: "ignored" },
    });
    expect(edge.status).toBe(201);
    expect(edge.body.user.displayName).toBe("😀".repeat(80));
    expect(
      (await api(node, "POST", "/api/auth/login", { body: { email: edge.body.user.email, password: "🔑".repeat(128) } })).status,
    ).toBe(200);
    // the contract sets no email form beyond an address: a one-letter TLD or a single-label domain is one
    for (const domain of ["b.c", "localhost"]) {
      const email = `${newId().slice(0, 8)}@${domain}`;
      const res = await api(node, "POST", "/api/auth/register", { body: { ...good(), email } });
      expect({ email, status: res.status }).toEqual({ email, status: 201 });
    }
    for (const email of ["foo@", "@bar", "foo bar@x.io", "a@b@c"]) {
      expect((await api(node, "POST", "/api/auth/register", { body: { ...good(), email } })).status).toBe(400);
    }
  });

  it("POST /api/auth/login", async () => {
    await check("POST", "/api/auth/login", [
      ["no body", undefined, 400, "INVALID_PAYLOAD"],
      ["missing password", { email: user.email }, 400, "INVALID_PAYLOAD"],
      ["missing email", { password: user.password }, 400, "INVALID_PAYLOAD"],
      ["email a number", { email: 1, password: user.password }, 400, "INVALID_PAYLOAD"],
      ["password an array", { email: user.email, password: [user.password] }, 400, "INVALID_PAYLOAD"],
      ["password over 128", { email: user.email, password: "p".repeat(129) }, 400, "INVALID_PAYLOAD"],
      ["email over 320", { email: "e".repeat(321), password: "whatever1" }, 400, "INVALID_PAYLOAD"],
      ["not an address at all", { email: "nobody", password: "whatever1" }, 401, "UNAUTHORIZED"],
      ["email with NUL", { email: "a\u0000@b.c", password: "whatever1" }, 400, "INVALID_PAYLOAD"],
    ]);
  });

  it("POST /api/auth/refresh and /api/auth/logout", async () => {
    const cases: Case[] = [
      ["no body", undefined, 400, "INVALID_PAYLOAD"],
      ["missing token", {}, 400, "INVALID_PAYLOAD"],
      ["token a number", { refreshToken: 123 }, 400, "INVALID_PAYLOAD"],
      ["token empty", { refreshToken: "" }, 400, "INVALID_PAYLOAD"],
      ["token oversize", { refreshToken: "t".repeat(513) }, 400, "INVALID_PAYLOAD"],
    ];
    await check("POST", "/api/auth/refresh", [
      ...cases,
      ["unknown token", { refreshToken: "t".repeat(43) }, 401, "UNAUTHORIZED"],
    ]);
    await check("POST", "/api/auth/logout", cases);
  });

  it("POST /api/auth/password", async () => {
    await check(
      "POST",
      "/api/auth/password",
      [
        ["no body", undefined, 400, "INVALID_PAYLOAD"],
        ["missing new", { currentPassword: user.password }, 400, "INVALID_PAYLOAD"],
        ["missing current", { newPassword: "new password" }, 400, "INVALID_PAYLOAD"],
        ["new too short", { currentPassword: user.password, newPassword: "short" }, 400, "INVALID_PAYLOAD"],
        ["new too long", { currentPassword: user.password, newPassword: "n".repeat(129) }, 400, "INVALID_PAYLOAD"],
        ["new a number", { currentPassword: user.password, newPassword: 123456789 }, 400, "INVALID_PAYLOAD"],
        ["wrong current", { currentPassword: "wrong password", newPassword: "new password" }, 401, "UNAUTHORIZED"],
      ],
      user.accessToken,
    );
  });

  it("GET /api/users?email=", async () => {
    for (const [q, status] of [
      ["", 400],
      ["?email=", 400],
      ["?email=a@b.c&email=d@e.f", 400],
      [`?email=${"e".repeat(321)}`, 400],
      ["?email[x]=1", 400],
      ["?email=nobody", 404],
    ] as const) {
      const res = await api(node, "GET", `/api/users${q}`, { token: admin.accessToken });
      expect({ q, status: res.status }).toEqual({ q, status });
    }
  });

  it("PATCH /api/users/:id/role", async () => {
    await check(
      "PATCH",
      `/api/users/${user.id}/role`,
      [
        ["no body", undefined, 400, "INVALID_PAYLOAD"],
        ["unknown role", { role: "superuser" }, 400, "INVALID_PAYLOAD"],
        ["role a number", { role: 1 }, 400, "INVALID_PAYLOAD"],
        ["role upper case", { role: "ADMIN" }, 400, "INVALID_PAYLOAD"],
      ],
      admin.accessToken,
    );
    for (const id of ["not-a-uuid", "123", "00000000-0000-0000-0000-00000000000g", "%20"]) {
      const res = await api(node, "PATCH", `/api/users/${id}/role`, { token: admin.accessToken, body: { role: "mentor" } });
      expect({ id, status: res.status }).toEqual({ id, status: 400 });
    }
    expect(
      (await api(node, "PATCH", `/api/users/${newId()}/role`, { token: admin.accessToken, body: { role: "mentor" } })).status,
    ).toBe(404);
  });

  it("a malformed Authorization header is 401", async () => {
    for (const authorization of ["Bearer", "Bearer ", "Bearer a b", "Token abc", "x".repeat(5000)]) {
      const res = await api(node, "GET", "/api/me", { headers: { authorization } });
      expect({ authorization: authorization.slice(0, 20), status: res.status }).toEqual({
        authorization: authorization.slice(0, 20),
        status: 401,
      });
    }
    const long = await api(node, "GET", "/api/me", { token: "x".repeat(5000) });
    expect(long.status).toBe(401);
  });
});
