// Rebuilds dist/ when any source file is newer than the last build, so `npm start` and `npm test`
// always run the current code without paying for a build when nothing changed.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const stamp = join(root, "dist", ".build-stamp");

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const sources = ["src", "entities", "migrations"].map((d) => newest(join(root, d)));
const configs = ["tsconfig.json", "tsconfig.build.json", "package.json"].map((f) => statSync(join(root, f)).mtimeMs);
const needed = !existsSync(stamp) || Math.max(...sources, ...configs) > statSync(stamp).mtimeMs;
if (needed) {
  execSync("npx tsc -p tsconfig.build.json", { cwd: root, stdio: "inherit" });
  writeFileSync(stamp, String(Date.now()));
}
