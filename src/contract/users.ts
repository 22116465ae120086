import { z } from "zod";
import { isoTime, text, uuid } from "./primitives.js";

export const UserRole = z.enum(["learner", "mentor", "admin"]);
export type UserRole = z.infer<typeof UserRole>;

/** The caller's own view of an account (never a password hash). */
export const User = z
  .object({
    id: uuid,
    email: z.string(),
    displayName: z.string(),
    role: UserRole,
    createdAt: isoTime,
  })
  .meta({ id: "User" });
export type User = z.infer<typeof User>;

/** How other users appear: `email` only to admins and to mentors of a cohort the user belongs to. */
export const UserRef = z.object({ id: uuid, displayName: z.string(), email: z.string().optional() }).meta({ id: "UserRef" });
export type UserRef = z.infer<typeof UserRef>;

/** An author or actor: id and display name, never an email. */
export const Author = z.object({ id: uuid, displayName: z.string() }).meta({ id: "Author" });
export type Author = z.infer<typeof Author>;

/** What a browser's `<input type="email">` accepts (so `a@b.c` and `dev@localhost` too); the contract sets no stricter form. */
export const email = z.email({ pattern: z.regexes.html5Email, message: "must be an email address" }).max(320);
/** Login and lookup accept any address-like string, so an unknown one gets the same answer as a wrong password. */
export const anyEmail = text(1, 320);
export const password = text(8, 128);
export const displayName = text(1, 80);
