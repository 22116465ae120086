import type { User } from "../../entities/index.js";
import type { User as UserShape } from "../contract/index.js";
import { iso } from "../db/time.js";

/** The caller's own view of an account (never the password hash). */
export const toUser = (u: User): UserShape => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  role: u.role,
  createdAt: iso(u.createdAt),
});
