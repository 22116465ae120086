import { build, type Metafile } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/processes.js";

/** What the client package may import: its own files (and the shared contract), and these packages by name. */
const ALLOWED_PACKAGES = ["yjs", "y-protocols", "socket.io-client"];
const OWN_FILES = /^(dist\/)?src\/(client|contract)\//;
const SERVER_PACKAGES =
  /node_modules\/(express|typeorm|pg|pg-[a-z]+|ioredis|pino|@electric-sql|jsonwebtoken|helmet|prom-client|socket\.io)\//;

const packageOf = (specifier: string) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;

async function bundle(entry: string, external: boolean): Promise<Metafile> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    packages: external ? "external" : "bundle",
  });
  return result.metafile;
}

describe("cohort-live/client has no server code in its import graph", () => {
  it("its sources bundle for the browser with nothing of the server and no node: module", async () => {
    const meta = await bundle("src/client/index.ts", false);
    const inputs = Object.keys(meta.inputs);
    expect(inputs.filter((f) => f.startsWith("node:") || SERVER_PACKAGES.test(f))).toEqual([]);
    expect(inputs.filter((f) => !f.startsWith("node_modules/") && !OWN_FILES.test(f))).toEqual([]);
    // the browser build of socket.io-client, not its Node transports
    expect(inputs.some((f) => f.includes("node_modules/ws/") || f.includes("xmlhttprequest-ssl"))).toBe(false);
  });

  it("the built package (dist/src/client) imports only yjs, y-protocols and socket.io-client by their bare names", async () => {
    expect(existsSync(join(ROOT, "dist/src/client/index.js"))).toBe(true);
    const meta = await bundle("dist/src/client/index.js", true);
    expect(Object.keys(meta.inputs).filter((f) => !OWN_FILES.test(f))).toEqual([]);
    const imported = new Set(Object.values(meta.outputs).flatMap((o) => o.imports.map((i) => packageOf(i.path))));
    expect([...imported].sort()).toEqual([...ALLOWED_PACKAGES].sort());
  });

  it("package.json exposes it as the subpath ./client with types, and keeps the root export", async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      exports: Record<string, { types: string; default: string }>;
    };
    expect(pkg.exports["./client"]).toEqual({ types: "./dist/src/client/index.d.ts", default: "./dist/src/client/index.js" });
    expect(existsSync(join(ROOT, pkg.exports["./client"]!.types))).toBe(true);
    expect(pkg.exports["."]).toBeDefined();
  });
});
