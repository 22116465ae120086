/** The one REST error mapping, on an app built in-process with createHttpApp. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { Router } from "express";
import { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { AppError } from "../../src/errors.js";
import { createHttpApp } from "../../src/http/app.js";
import { IdParams, text } from "../../src/contract/index.js";
import { parse } from "../../src/http/validate.js";
import { createLogger } from "../../src/logger.js";
import { createMetrics } from "../../src/metrics.js";
import { api } from "../support/rest.js";

describe("REST errors and limits", () => {
  let server: Server;
  let base: string;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split("\n")) if (line.trim()) logLines.push(JSON.parse(line));
        done();
      },
    });
    const router = Router();
    router.get("/boom", () => {
      throw new Error('relation "x" failed: SELECT secret FROM users WHERE password_hash = $1');
    });
    router.get("/boom-async", async () => {
      await Promise.resolve();
      throw Object.assign(new Error("SELECT secret FROM tokens"), { code: "42P01" });
    });
    router.get("/unstorable", async () => {
      await Promise.resolve();
      throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
        name: "QueryFailedError",
        code: "22021",
      });
    });
    router.get("/conflict", () => {
      throw new AppError("CONFLICT", "already there");
    });
    router.get("/things/:id", (req, res) => {
      res.json({ id: parse(IdParams, req.params, "path").id });
    });
    router.post("/echo", (req, res) => {
      res.json(parse(z.object({ name: text(1, 10) }), req.body ?? {}, "body"));
    });
    const app = createHttpApp({
      config: loadConfig({ LOG_LEVEL: "info" }),
      logger: createLogger("info", sink),
      metrics: createMetrics(),
      ops: Router(),
      api: [Router().use("/api", router)],
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it("an unknown route is 404 NOT_FOUND in the contract's shape", async () => {
    for (const [method, path] of [
      ["GET", "/nope"],
      ["POST", "/api/nope"],
      ["DELETE", "/api/echo"],
    ]) {
      const res = await api(base, method, path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: expect.any(String) } });
    }
  });

  it("malformed JSON is 400 INVALID_PAYLOAD", async () => {
    const res = await api(base, "POST", "/api/echo", { body: '{"name": "a",' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_PAYLOAD");
  });

  it("a body over 1 MB is 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await api(base, "POST", "/api/echo", { body: { name: "a", pad: "x".repeat(1024 * 1024 + 10) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.any(String) } });
  });

  it("a body just under 1 MB is read (and unknown keys are ignored)", async () => {
    const res = await api(base, "POST", "/api/echo", { body: { name: "a", pad: "x".repeat(1000 * 1000) } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ name: "a" });
  });

  it("invalid values are 400 with details; a malformed id is 400, never 500", async () => {
    const bad = await api(base, "POST", "/api/echo", { body: { name: "" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_PAYLOAD");
    expect(bad.body.error.details).toEqual([{ path: "name", message: expect.any(String) }]);
    const id = await api(base, "GET", "/api/things/not-a-uuid");
    expect(id.status).toBe(400);
    expect(id.body.error.code).toBe("INVALID_PAYLOAD");
  });

  it("a body in a charset the parser does not know is 400 INVALID_PAYLOAD, not 500", async () => {
    for (const charset of ["latin1", "x-unknown"]) {
      const res = await api(base, "POST", "/api/echo", {
        body: { name: "a" },
        headers: { "content-type": `application/json; charset=${charset}` },
      });
      expect({ charset, status: res.status, code: res.body.error?.code }).toEqual({
        charset,
        status: 400,
        code: "INVALID_PAYLOAD",
      });
    }
  });

  it("text with a NUL character is 400 INVALID_PAYLOAD (PostgreSQL cannot store it), also when only the database notices", async () => {
    const res = await api(base, "POST", "/api/echo", { body: { name: "a\u0000b" } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_PAYLOAD");
    const db = await api(base, "GET", "/api/unstorable");
    expect(db.status).toBe(400);
    expect(db.body).toEqual({ error: { code: "INVALID_PAYLOAD", message: expect.any(String) } });
    expect(JSON.stringify(db.body)).not.toContain("0x00");
  });

  it("an id in upper-case hex is the same id; any 8-4-4-4-12 hex string is a well-formed id", async () => {
    const upper = await api(base, "GET", "/api/things/FC409F0C-90BC-4FC6-92CB-37E5B902F894");
    expect(upper.body).toEqual({ id: "fc409f0c-90bc-4fc6-92cb-37e5b902f894" });
    for (const id of ["11111111-1111-1111-1111-111111111111", "00000000-0000-0000-0000-000000000001"]) {
      expect((await api(base, "GET", `/api/things/${id}`)).body).toEqual({ id });
    }
    for (const id of [
      "{11111111-1111-1111-1111-111111111111}",
      "11111111111111111111111111111111",
      "11111111-1111-1111-1111-11111111111g",
    ]) {
      expect((await api(base, "GET", `/api/things/${encodeURIComponent(id)}`)).status).toBe(400);
    }
  });

  it("an AppError keeps its code and status", async () => {
    const res = await api(base, "GET", "/api/conflict");
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: "CONFLICT", message: "already there" } });
  });

  it("a thrown error is 500 INTERNAL with no stack, SQL or internals, logged with the request id", async () => {
    for (const path of ["/api/boom", "/api/boom-async"]) {
      const res = await api(base, "GET", path);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: { code: "INTERNAL", message: expect.any(String) } });
      const raw = JSON.stringify(res.body);
      for (const leak of ["SELECT", "secret", "password_hash", "42P01", "at ", ".ts", "Error"]) expect(raw).not.toContain(leak);
      const reqId = res.headers.get("x-request-id");
      expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
      const logged = logLines.find((l) => l.reqId === reqId && l.msg === "request failed");
      expect(logged).toBeDefined();
      expect(JSON.stringify(logged)).toContain("SELECT secret");
    }
  });

  it("sets security headers and answers CORS preflights", async () => {
    const res = await fetch(`${base}/api/echo`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
    const plain = await api(base, "GET", "/nope");
    expect(plain.headers.get("x-content-type-options")).toBe("nosniff");
    expect(plain.headers.get("x-powered-by")).toBeNull();
  });
});
