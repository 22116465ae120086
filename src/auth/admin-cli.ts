import type { DataSource } from "typeorm";
import { email as emailSchema, password as passwordSchema, UserRole } from "../contract/index.js";
import { hashPassword } from "./passwords.js";

export const ADMIN_USAGE = `usage: npm run admin -- create-admin <email> <displayName>   (password from ADMIN_PASSWORD, or prompted)
       npm run admin -- promote <email> <learner|mentor|admin>`;

/** A refusal the CLI prints as one line (exit 2), not a stack trace. */
export class AdminCommandError extends Error {}

/**
 * `create-admin` and `promote` against the configured database: the safer way to make an admin than
 * ADMIN_EMAILS (which trusts whoever registers an address first). Changing a role bumps the token epoch, so
 * tokens that carried the old role end too.
 */
export async function runAdminCommand(db: DataSource, args: string[], readPassword: () => Promise<string>): Promise<string> {
  const [command, ...rest] = args;
  if (command === "create-admin" && rest.length === 2) {
    const address = emailSchema.safeParse(rest[0]);
    if (!address.success) throw new AdminCommandError(`not an email address: ${rest[0]}`);
    const displayName = rest[1]!.trim();
    if (!displayName || [...displayName].length > 80) throw new AdminCommandError("displayName must be 1..80 characters");
    const pw = passwordSchema.safeParse(await readPassword());
    if (!pw.success) throw new AdminCommandError("the password must be 8..128 characters");
    const rows = (await db.query(
      `INSERT INTO users (email, password_hash, display_name, role) VALUES ($1, $2, $3, 'admin')
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [address.data.toLowerCase(), await hashPassword(pw.data), displayName],
    )) as { id: string }[];
    if (!rows[0]) throw new AdminCommandError(`an account with ${address.data} exists: use promote`);
    return `created admin ${address.data} (${rows[0].id})`;
  }
  if (command === "promote" && rest.length === 2) {
    const role = UserRole.safeParse(rest[1]);
    if (!role.success) throw new AdminCommandError("role must be learner, mentor or admin");
    const [rows] = (await db.query(`UPDATE users SET role = $2, token_epoch = token_epoch + 1 WHERE email = $1 RETURNING id`, [
      rest[0]!.toLowerCase(),
      role.data,
    ])) as [{ id: string }[], number];
    if (!rows[0]) throw new AdminCommandError(`no account with ${rest[0]}`);
    return `${rest[0]} is now ${role.data}`;
  }
  throw new AdminCommandError(ADMIN_USAGE);
}
