/** REST calls, and the users and cohorts most tests start from (created through the public API). */
import { randomBytes, randomUUID } from "node:crypto";
import { ADMIN_EMAIL } from "./servers.js";

export interface ApiResponse<T = Record<string, any>> {
  status: number;
  body: T;
  headers: Headers;
}

/** One REST call; `body` objects are sent as JSON, strings as-is. */
export async function api<T = Record<string, any>>(
  base: string | { url: string },
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const url = (typeof base === "string" ? base : base.url) + path;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    headers["content-type"] ??= "application/json";
    payload = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  role: "learner" | "mentor" | "admin";
  accessToken: string;
  refreshToken: string;
}

export const uniqueEmail = (tag = "user") => `${tag}-${randomBytes(5).toString("hex")}@cohort.test`;

/** Registers a user; `role` mentor is granted by a (lazily registered) admin of the same node's database. */
export async function makeUser(
  node: { url: string },
  role: "learner" | "mentor" | "admin" = "learner",
  name?: string,
): Promise<TestUser> {
  const email = role === "admin" ? ADMIN_EMAIL.replace("@", `+${randomBytes(3).toString("hex")}@`) : uniqueEmail(role);
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const displayName = name ?? `${role} ${email.slice(0, 12)}`;
  const res = await api(node, "POST", "/api/auth/register", { body: { email, password, displayName } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const user: TestUser = {
    id: res.body.user.id,
    email,
    password,
    displayName,
    role: res.body.user.role,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
  };
  if (role !== user.role) {
    const admin = await adminOf(node);
    const patched = await api(node, "PATCH", `/api/users/${user.id}/role`, { token: admin.accessToken, body: { role } });
    if (patched.status !== 200) throw new Error(`role change failed: ${patched.status} ${JSON.stringify(patched.body)}`);
    user.role = role;
  }
  return user;
}

const admins = new Map<string, Promise<TestUser>>();

/** Registers the admin email on `node`'s database. */
async function registerAdmin(node: { url: string }): Promise<TestUser> {
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const res = await api(node, "POST", "/api/auth/register", {
    body: { email: ADMIN_EMAIL, password, displayName: "Admin" },
  });
  if (res.status === 201) {
    return { ...res.body.user, password, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken } as TestUser;
  }
  throw new Error(`admin register failed (${res.status}); use one adminOf per database`);
}

/**
 * The admin of `node`'s database, cached by URL. Test files share this module (vitest `isolate: false`), and a port
 * freed by one file's server may be taken by another file's: a cached admin that this server does not know (its
 * `/api/me` and its login both refuse) belongs to a database gone with that server, and a new one is registered.
 */
async function currentAdmin(node: { url: string }, cached: TestUser): Promise<TestUser> {
  if ((await api(node, "GET", "/api/me", { token: cached.accessToken })).status === 200) return cached;
  const login = await api(node, "POST", "/api/auth/login", { body: { email: ADMIN_EMAIL, password: cached.password } });
  if (login.status === 200) return { ...cached, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
  return registerAdmin(node);
}

/** An admin registered through ADMIN_EMAILS (the cluster sets ADMIN_EMAILS=admin@cohort.test). */
export function adminOf(node: { url: string }): Promise<TestUser> {
  const cached = admins.get(node.url);
  const admin = cached ? cached.then((a) => currentAdmin(node, a)) : registerAdmin(node);
  admins.set(node.url, admin);
  return admin;
}

/** Makes `user` an admin-free mentor-owned cohort with `members` added as learners (or as given). */
export async function makeCohort(
  node: { url: string },
  mentor: TestUser,
  members: (TestUser | { user: TestUser; role: "learner" | "mentor" })[] = [],
): Promise<{ id: string; name: string; slug: string }> {
  const slug = `c-${randomBytes(5).toString("hex")}`;
  const res = await api(node, "POST", "/api/cohorts", { token: mentor.accessToken, body: { name: `Cohort ${slug}`, slug } });
  if (res.status !== 201) throw new Error(`cohort create failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cohort = res.body.cohort;
  for (const m of members) {
    const { user, role } = "user" in m ? m : { user: m, role: "learner" as const };
    const added = await api(node, "POST", `/api/cohorts/${cohort.id}/members`, {
      token: mentor.accessToken,
      body: { userId: user.id, role },
    });
    if (added.status !== 201) throw new Error(`add member failed: ${added.status} ${JSON.stringify(added.body)}`);
  }
  return cohort;
}

export const newId = () => randomUUID();
