/** Logout-all, password change and admin reset end the user's current access on every node: tokens and sockets. */
import { describe, expect, it } from "vitest";
import { clusterForFile } from "../support/file-fixtures.js";
import type { Cluster } from "../support/clusters.js";
import { sql } from "../support/databases.js";
import { adminOf, api, makeUser, type TestUser } from "../support/rest.js";
import type { Node } from "../support/servers.js";
import { connect, nextEvent, type ClientSocket } from "../support/sockets.js";

const connectError = (p: Promise<ClientSocket>) =>
  p.then(
    (s) => (s.close(), null),
    (err: Error & { data?: { code?: string } }) => err.data?.code ?? err.message,
  );

/** Resolves once the socket got auth:expired and was disconnected by the server; the elapsed ms. */
async function endedWithin(socket: ClientSocket, ms: number): Promise<number> {
  const started = Date.now();
  const expired = nextEvent(socket, "auth:expired", () => true, ms);
  const disconnected = new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("not disconnected")), ms);
    socket.once("disconnect", (reason) => (clearTimeout(t), resolve(reason)));
  });
  await expired;
  expect(await disconnected).toBe("io server disconnect");
  return Date.now() - started;
}

async function login(node: Node, user: TestUser, password = user.password) {
  const res = await api(node, "POST", "/api/auth/login", { body: { email: user.email, password } });
  expect(res.status).toBe(200);
  return res.body as { accessToken: string; refreshToken: string };
}

describe("ending a user's access (two nodes)", () => {
  let cluster: Cluster;
  let a: Node;
  let b: Node;
  clusterForFile(2, (started) => {
    cluster = started;
    [a, b] = started.nodes;
  });

  for (const how of ["logout-all", "password change"] as const) {
    it(`${how}: earlier tokens get 401 and connect_error UNAUTHORIZED, sockets on both nodes end; a token issued right after works`, async () => {
      const user = await makeUser(a);
      const other = await login(b, user);
      const onA = await connect(a, user.accessToken);
      const onB = await connect(b, other.accessToken);
      const bystander = await makeUser(a);
      const bystanderSocket = await connect(b, bystander.accessToken);
      const endA = endedWithin(onA, 10_000);
      const endB = endedWithin(onB, 10_000);

      const newPassword = "a brand new password";
      const res =
        how === "logout-all"
          ? await api(b, "POST", "/api/auth/logout-all", { token: other.accessToken })
          : await api(b, "POST", "/api/auth/password", {
              token: other.accessToken,
              body: { currentPassword: user.password, newPassword },
            });
      expect(res.status).toBe(204);
      // within the same second: a fresh login works on both nodes, REST and sockets
      const fresh = await login(a, user, how === "logout-all" ? user.password : newPassword);

      for (const node of [a, b]) {
        for (const token of [user.accessToken, other.accessToken]) {
          const me = await api(node, "GET", "/api/me", { token });
          expect(me.status).toBe(401);
          expect(me.body.error.code).toBe("UNAUTHORIZED");
          expect(await connectError(connect(node, token))).toBe("UNAUTHORIZED");
        }
        expect((await api(node, "GET", "/api/me", { token: fresh.accessToken })).status).toBe(200);
        expect(await connectError(connect(node, fresh.accessToken))).toBeNull();
      }
      expect(await endA).toBeLessThan(10_000);
      expect(await endB).toBeLessThan(10_000);
      for (const token of [user.refreshToken, other.refreshToken]) {
        expect((await api(a, "POST", "/api/auth/refresh", { body: { refreshToken: token } })).status).toBe(401);
      }
      // other users are not touched
      expect(bystanderSocket.connected).toBe(true);
      expect((await api(a, "GET", "/api/me", { token: bystander.accessToken })).status).toBe(200);
      bystanderSocket.close();
    });
  }

  it("admin password reset: 201 {resetToken, expiresAt} once per token, 1 hour; reset ends access; used/expired/unknown → 401", async () => {
    const admin = await adminOf(a);
    const user = await makeUser(a);
    const learner = await makeUser(a);
    const socket = await connect(b, user.accessToken);
    const ended = endedWithin(socket, 10_000);

    expect((await api(a, "POST", `/api/users/${user.id}/password-reset`, { token: learner.accessToken })).status).toBe(403);
    const unknown = await api(a, "POST", `/api/users/00000000-0000-4000-8000-000000000000/password-reset`, {
      token: admin.accessToken,
    });
    expect(unknown.status).toBe(404);
    const created = await api(a, "POST", `/api/users/${user.id}/password-reset`, { token: admin.accessToken });
    expect(created.status).toBe(201);
    const { resetToken, expiresAt } = created.body as { resetToken: string; expiresAt: string };
    const ttl = Date.parse(expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(59 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000 + 5_000);

    const reset = await api(b, "POST", "/api/auth/reset", { body: { resetToken, newPassword: "reset password 1" } });
    expect(reset.status).toBe(204);
    expect((await api(a, "GET", "/api/me", { token: user.accessToken })).status).toBe(401);
    expect((await api(a, "POST", "/api/auth/refresh", { body: { refreshToken: user.refreshToken } })).status).toBe(401);
    expect(await ended).toBeLessThan(10_000);
    await login(a, user, "reset password 1");
    expect((await api(a, "POST", "/api/auth/login", { body: { email: user.email, password: user.password } })).status).toBe(401);

    // one use
    const again = await api(a, "POST", "/api/auth/reset", { body: { resetToken, newPassword: "reset password 2" } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe("UNAUTHORIZED");
    expect(
      (await api(a, "POST", "/api/auth/reset", { body: { resetToken: "no-such-token", newPassword: "reset password 2" } }))
        .status,
    ).toBe(401);
    // expired
    const second = await api(a, "POST", `/api/users/${user.id}/password-reset`, { token: admin.accessToken });
    await sql(cluster.dbUrl, `UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    const expired = await api(a, "POST", "/api/auth/reset", {
      body: { resetToken: second.body.resetToken, newPassword: "reset password 3" },
    });
    expect(expired.status).toBe(401);
    await login(a, user, "reset password 1");
  });
});
