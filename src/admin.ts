// `npm run admin -- create-admin <email> <displayName>` | `promote <email> <role>`: account administration
// against the configured database (DATABASE_URL or DATA_DIR), with pending migrations applied first.
import { createInterface } from "node:readline";
import { AdminCommandError, runAdminCommand } from "./auth/admin-cli.js";
import { setPasswordCost } from "./auth/passwords.js";
import { loadAdminCliConfig } from "./config/admin-cli.js";
import { ConfigError } from "./config/config.js";
import { createDataSource } from "./db/datasource.js";
import { runMigrations } from "./db/migrate.js";

/** ADMIN_PASSWORD, else one line typed at the terminal (not echoed), else the first line of piped input. */
async function readPassword(fromEnv: string | undefined): Promise<string> {
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    let text = "";
    for await (const chunk of process.stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? "";
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  process.stdout.write("password: ");
  // echo nothing of what is typed
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
  return new Promise((resolve) => {
    rl.once("line", (line) => {
      rl.close();
      process.stdout.write("\n");
      resolve(line);
    });
  });
}

try {
  const { server: config, adminPassword } = loadAdminCliConfig(process.env);
  setPasswordCost(config.scryptLogN);
  const db = createDataSource(config.database);
  await db.initialize();
  try {
    if (config.migrationsRun) await runMigrations(db);
    process.stdout.write(`${await runAdminCommand(db, process.argv.slice(2), () => readPassword(adminPassword))}\n`);
  } finally {
    await db.destroy();
  }
} catch (err) {
  const oneLine = err instanceof ConfigError || err instanceof AdminCommandError;
  process.stderr.write(`cohort-live: ${oneLine ? err.message : "admin command failed: " + (err as Error).message}\n`);
  process.exit(oneLine ? 2 : 1);
}
