/** docs/openapi.yaml documents routes the server really has (each documented operation is routed, not 404). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../support/databases.js";
import { type InProcessNode, startInProcess } from "../support/in-process.js";
import { ROOT } from "../support/processes.js";
import { api, newId } from "../support/rest.js";

function operations(): [string, string][] {
  const ops: [string, string][] = [];
  let path: string | null = null;
  for (const line of readFileSync(join(ROOT, "docs", "openapi.yaml"), "utf8").split("\n")) {
    const p = /^ {2}(\/\S*):\s*$/.exec(line);
    if (p) path = p[1];
    else if (/^\S/.test(line)) path = null;
    const m = /^ {4}(get|post|patch|put|delete):\s*$/.exec(line);
    if (m && path) ops.push([m[1].toUpperCase(), path]);
  }
  return ops;
}

describe("docs/openapi.yaml", () => {
  const dir = tempDir();
  let node: InProcessNode;
  beforeAll(async () => {
    node = await startInProcess({ DATA_DIR: dir.path, AUTH_RATE_LIMIT: "0" });
  });
  afterAll(async () => {
    await node?.stop();
    dir.remove();
  });

  it("lists the contract's routes", () => {
    const listed = operations().map(([m, p]) => `${m} ${p}`);
    expect(listed.length).toBeGreaterThan(30);
    for (const op of [
      "GET /readyz",
      "POST /api/auth/register",
      "POST /api/notifications/read",
      "POST /api/reviews/{id}/verdict",
    ]) {
      expect(listed).toContain(op);
    }
  });

  it("every documented operation is routed by the server", async () => {
    const missing: string[] = [];
    for (const [method, path] of operations()) {
      const url = path.replace(/\{[^}]+\}/g, newId());
      const res = await api(node, method, url, method === "GET" || method === "DELETE" ? {} : { body: {} });
      const unrouted = res.status === 404 && res.body?.error?.message === "no such route";
      if (unrouted) missing.push(`${method} ${path}`);
    }
    expect(missing).toEqual([]);
  });
});
