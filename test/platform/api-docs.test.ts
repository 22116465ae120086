/**
 * The OpenAPI and AsyncAPI documents are generated from src/contract: every route and event the server
 * registers is in them, every documented operation is routed, and the AsyncAPI document is valid.
 */
import { Parser } from "@asyncapi/parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.js";
import { createServer, type ServerHandle } from "../../src/server.js";
import { migratedDataDir } from "../support/databases.js";
import { api, newId } from "../support/rest.js";

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
}
interface AsyncApiDoc {
  channels: Record<string, { address: string }>;
  operations: Record<string, { action: "send" | "receive"; channel: { $ref: string }; reply?: unknown }>;
}

describe("API descriptions generated from the contract", () => {
  let dir: { path: string; remove(): void };
  let server: ServerHandle;
  let base: string;
  let openapi: OpenApiDoc;
  let asyncapi: AsyncApiDoc;

  beforeAll(async () => {
    dir = await migratedDataDir();
    server = createServer(loadConfig({ DATA_DIR: dir.path, PORT: "0", LOG_LEVEL: "silent", AUTH_RATE_LIMIT: "0" }));
    base = `http://127.0.0.1:${await server.start()}`;
    openapi = (await api(base, "GET", "/api/openapi.json")).body as OpenApiDoc;
    asyncapi = (await api(base, "GET", "/api/asyncapi.json")).body as AsyncApiDoc;
  });
  afterAll(async () => {
    await server?.stop();
    dir?.remove();
  });

  const documentedOperations = () =>
    Object.entries(openapi.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

  it("OpenAPI 3.1 lists every route the server registered", () => {
    expect(openapi.openapi).toBe("3.1.0");
    const documented = new Set(documentedOperations());
    const registered = server
      .registered()
      .routes.filter((r) => !r.includes("/docs") && !r.endsWith("openapi.json") && !r.endsWith("asyncapi.json"))
      .map((r) => r.replace(/:([A-Za-z]+)/g, "{$1}"));
    expect(registered.length).toBeGreaterThan(30);
    const missing = registered.filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
    // shapes are named once and referenced
    for (const shape of ["Session", "Review", "Cohort", "Member", "Notification", "ErrorResponse"]) {
      expect(openapi.components.schemas).toHaveProperty(shape);
    }
  });

  it("every documented operation is routed (never 'no such route')", async () => {
    const unrouted: string[] = [];
    for (const op of documentedOperations()) {
      const [method, path] = op.split(" ") as [string, string];
      const url = path.replace(/\{[^}]+\}/g, newId());
      const res = await api(base, method, url, method === "GET" || method === "DELETE" ? {} : { body: {} });
      if (res.status === 404 && (res.body as { error?: { message?: string } })?.error?.message === "no such route")
        unrouted.push(op);
    }
    expect(unrouted).toEqual([]);
  });

  it("serves the interactive references with bundled assets (no CDN) outside production", async () => {
    const page = await fetch(`${base}/docs`).then((r) => r.text());
    expect(page).toContain("/docs/assets/scalar.js");
    expect(page).not.toMatch(/https?:\/\/cdn/);
    const script = await fetch(`${base}/docs/assets/scalar.js`);
    expect(script.status).toBe(200);
    const events = await fetch(`${base}/docs/events`).then((r) => r.text());
    expect(events).toContain("/docs/assets/asyncapi.js");
  });
  it("AsyncAPI 3.0 lists every event the server handles, with its ack as the reply, and every server event; it validates", async () => {
    const channelOf = (ref: string) => asyncapi.channels[ref.replace("#/channels/", "")]?.address;
    const received = Object.values(asyncapi.operations)
      .filter((o) => o.action === "receive")
      .map((o) => {
        expect(o.reply).toBeDefined();
        return channelOf(o.channel.$ref);
      });
    const handled = server.registered().events;
    expect(handled.length).toBeGreaterThan(10);
    expect(handled.filter((e) => !received.includes(e))).toEqual([]);
    const sent = Object.values(asyncapi.operations)
      .filter((o) => o.action === "send")
      .map((o) => channelOf(o.channel.$ref));
    for (const e of ["notification", "doc:update", "presence:joined", "server:draining", "auth:expired"])
      expect(sent).toContain(e);

    const { document, diagnostics } = await new Parser().parse(JSON.stringify(asyncapi));
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join(".")}: ${d.message}`)).toEqual([]);
    expect(document?.operations().length).toBe(Object.keys(asyncapi.operations).length);
  });
});

describe("API_DOCS=false", () => {
  it("keeps the JSON descriptions and drops /docs", async () => {
    const dir = await migratedDataDir();
    const server = createServer(
      loadConfig({ DATA_DIR: dir.path, PORT: "0", LOG_LEVEL: "silent", API_DOCS: "false", AUTH_RATE_LIMIT: "0" }),
    );
    try {
      const base = `http://127.0.0.1:${await server.start()}`;
      expect((await api(base, "GET", "/docs")).status).toBe(404);
      expect((await api(base, "GET", "/api/openapi.json")).status).toBe(200);
    } finally {
      await server.stop();
      dir.remove();
    }
  });
});
