import { Router } from "express";
import { authRoutes, passwordResetRoutes } from "../contract/index.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { mountRoutes } from "../http/routes.js";
import { createPasswordResets } from "./password-reset.js";
import { authRateLimits, loginFailureGuard } from "./rate-limit.js";
import type { AuthService } from "./service.js";

/** The account routes of the contract (`/api/auth/*` behind the auth rate limit): translation only. */
export function authRouter(core: Core, auth: AuthService): Router {
  const router = Router();
  router.use(authRateLimits(core));
  const failures = loginFailureGuard(core);
  const resets = createPasswordResets(core);
  mountRoutes(
    passwordResetRoutes,
    {
      createPasswordReset: async ({ params }, { caller }) => resets.create(caller.access, params.id),
      resetPassword: async ({ body }) => resets.reset(body.resetToken, body.newPassword),
    },
    { ...core, router },
  );
  return mountRoutes(
    authRoutes,
    {
      register: async ({ body }) => auth.register(body),
      login: async ({ body }) => {
        await failures.check(body.email);
        try {
          return await auth.login(body);
        } catch (err) {
          if (err instanceof AppError && err.code === "UNAUTHORIZED") await failures.failed(body.email);
          throw err;
        }
      },
      refresh: async ({ body }) => auth.refresh(body.refreshToken),
      logout: async ({ body }) => auth.logout(body.refreshToken),
      logoutAll: async (_input, { caller }) => auth.logoutAll(caller.userId),
      changePassword: async ({ body }, { caller }) => auth.changePassword(caller.userId, body),
      me: async (_input, { caller }) => ({ user: await auth.me(caller.userId) }),
      findUser: async ({ query }, { caller }) => {
        const role = caller.access.role;
        if (role !== "mentor" && role !== "admin") throw new AppError("FORBIDDEN", "only mentors and admins may look up users");
        return { user: await auth.findByEmail(query.email) };
      },
      setRole: async ({ params, body }, { caller }) => {
        if (caller.access.role !== "admin") throw new AppError("FORBIDDEN", "only admins may change roles");
        return { user: await auth.setRole(params.id, body.role) };
      },
    },
    { ...core, router },
  );
}
