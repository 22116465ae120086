import { z } from "zod";
import { clientEvents, route, serverEvents } from "./define.js";
import { anyEmail, displayName, email, password, User, UserRole } from "./users.js";
import { IdParams, text } from "./primitives.js";

const refreshToken = z.string().min(1).max(512);

export const RegisterBody = z.object({ email, password, displayName });
export const LoginBody = z.object({ email: anyEmail, password: text(1, 128) });
export const RefreshBody = z.object({ refreshToken });
export const PasswordBody = z.object({ currentPassword: text(1, 128), newPassword: password });
export const RoleBody = z.object({ role: UserRole });
export const UserLookupQuery = z.object({ email: anyEmail });

/** A login (register or log in): the user and the token pair that starts a new token family. */
export const LoginResult = z.object({ user: User, accessToken: z.string(), refreshToken: z.string() });
export type LoginResult = z.infer<typeof LoginResult>;
export const TokenPair = z.object({ accessToken: z.string(), refreshToken: z.string() });
export type TokenPair = z.infer<typeof TokenPair>;
const UserBody = z.object({ user: User });

const TAG = "Users and auth";
export const authRoutes = {
  register: route({
    method: "post",
    path: "/api/auth/register",
    tag: TAG,
    summary: "Create an account (a learner, or an admin for ADMIN_EMAILS) and log in",
    auth: false,
    body: RegisterBody,
    status: 201,
    response: LoginResult,
    errors: ["CONFLICT", "RATE_LIMITED"],
  }),
  login: route({
    method: "post",
    path: "/api/auth/login",
    tag: TAG,
    summary: "Log in; wrong credentials are 401 with one message for unknown email and wrong password",
    auth: false,
    body: LoginBody,
    status: 200,
    response: LoginResult,
    errors: ["RATE_LIMITED"],
  }),
  refresh: route({
    method: "post",
    path: "/api/auth/refresh",
    tag: TAG,
    summary: "Rotate a refresh token; presenting a used one revokes its family (401)",
    auth: false,
    body: RefreshBody,
    status: 200,
    response: TokenPair,
    errors: ["RATE_LIMITED"],
  }),
  logout: route({
    method: "post",
    path: "/api/auth/logout",
    tag: TAG,
    summary: "Revoke a refresh token",
    auth: false,
    body: RefreshBody,
    status: 204,
    errors: ["RATE_LIMITED"],
  }),
  logoutAll: route({
    method: "post",
    path: "/api/auth/logout-all",
    tag: TAG,
    summary: "Revoke every refresh token of the caller",
    auth: true,
    status: 204,
    errors: ["RATE_LIMITED"],
  }),
  changePassword: route({
    method: "post",
    path: "/api/auth/password",
    tag: TAG,
    summary: "Change the password; revokes every refresh token of the user",
    auth: true,
    body: PasswordBody,
    status: 204,
    errors: ["RATE_LIMITED"],
  }),
  me: route({ method: "get", path: "/api/me", tag: TAG, summary: "The caller", auth: true, status: 200, response: UserBody }),
  findUser: route({
    method: "get",
    path: "/api/users",
    tag: TAG,
    summary: "Look a user up by email (mentors and admins)",
    auth: true,
    query: UserLookupQuery,
    status: 200,
    response: UserBody,
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  setRole: route({
    method: "patch",
    path: "/api/users/:id/role",
    tag: TAG,
    summary: "Change a user's global role (admins)",
    auth: true,
    params: IdParams,
    body: RoleBody,
    status: 200,
    response: UserBody,
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
};

export const authEvents = clientEvents({
  "auth:refresh": {
    summary: "Present a fresh access token of the same user, so the socket outlives the old token's expiry",
    payload: z.object({ token: z.string().min(1).max(4096) }),
    ack: z.object({ exp: z.number().int() }),
  },
});

export const authServerEvents = serverEvents({
  "auth:expired": {
    summary: "The socket's access token expired: send auth:refresh within 10 s or be disconnected",
    payload: z.object({ exp: z.number().int() }),
  },
});
