// Rebuilds what is out of date, so `npm start` and `npm test` always run the current code without paying for a
// build when nothing changed: dist/ (tsc) when a server source is newer than its stamp, and dist/web (vite) when
// a web app source (web/, the client package it is built on, or the types it takes from the server) is.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function rebuild(stamp, inputs, command) {
  const stampPath = join(root, stamp);
  const latest = Math.max(...inputs.map((p) => newest(join(root, p))));
  if (existsSync(stampPath) && latest <= statSync(stampPath).mtimeMs) return;
  execSync(command, { cwd: root, stdio: "inherit" });
  writeFileSync(stampPath, String(Date.now()));
}

const configs = ["tsconfig.json", "tsconfig.build.json", "package.json"];
rebuild("dist/.build-stamp", ["src", "entities", "migrations", ...configs], "npx tsc -p tsconfig.build.json");
rebuild(
  "dist/.web-build-stamp",
  ["web", "src/client", "src/contract", "package.json"],
  "npx vite build --config web/vite.config.ts --logLevel warn",
);
