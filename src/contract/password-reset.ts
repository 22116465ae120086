import { z } from "zod";
import { route } from "./define.js";
import { IdParams, isoTime } from "./primitives.js";
import { password } from "./users.js";

export const PasswordResetCreated = z.object({ resetToken: z.string(), expiresAt: isoTime });
export const ResetBody = z.object({ resetToken: z.string().min(1).max(512), newPassword: password });

const TAG = "Users and auth";
/** An admin hands a user a one-use reset token (1 hour); the user sets a new password with it. */
export const passwordResetRoutes = {
  createPasswordReset: route({
    method: "post",
    path: "/api/users/:id/password-reset",
    tag: TAG,
    summary: "Create a one-use password reset token for a user, valid 1 hour (admins)",
    auth: true,
    params: IdParams,
    status: 201,
    response: PasswordResetCreated,
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  resetPassword: route({
    method: "post",
    path: "/api/auth/reset",
    tag: TAG,
    summary: "Set a new password with a reset token; revokes the user's refresh tokens and current access",
    description: "A used, expired or unknown token → 401.",
    auth: false,
    body: ResetBody,
    status: 204,
    errors: ["RATE_LIMITED"],
  }),
};
