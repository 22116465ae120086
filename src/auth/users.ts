import type { UserRole } from "../../entities/index.js";
import { iso } from "../db/time.js";

/** The caller's own view of an account (never the password hash). */
export interface UserDto {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  createdAt: string;
}

/** How other users appear; `email` only to admins and to mentors of a cohort the user belongs to. */
export interface UserRef {
  id: string;
  displayName: string;
  email?: string;
}

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: UserRole;
  created_at: Date | string;
}

/** Columns to select for a UserRow (never password_hash). */
export const USER_COLUMNS = "id, email, display_name, role, created_at";

export function toUserDto(row: UserRow): UserDto {
  return { id: row.id, email: row.email, displayName: row.display_name, role: row.role, createdAt: iso(row.created_at) };
}
