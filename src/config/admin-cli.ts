import { z } from "zod";
import { type Config, loadConfig } from "./config.js";

/** The admin CLI's settings: the server's configuration plus ADMIN_PASSWORD (read by the CLI only, never by a server). */
export interface AdminCliConfig {
  server: Config;
  /** The password for create-admin; undefined: prompt for it (or read piped input). */
  adminPassword: string | undefined;
}

const adminEnv = z.object({
  ADMIN_PASSWORD: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined)),
});

/** Parses the environment once for `npm run admin`. */
export function loadAdminCliConfig(env: Record<string, string | undefined>): AdminCliConfig {
  return { server: loadConfig(env), adminPassword: adminEnv.parse(env).ADMIN_PASSWORD };
}
