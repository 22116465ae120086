import { allRoutes, ERROR_STATUS, ErrorResponse, type ErrorCode, type RouteDef } from "../../contract/index.js";
import { type JsonSchema, toJsonSchema } from "./json-schema.js";

const ALWAYS: ErrorCode[] = ["INVALID_PAYLOAD", "INTERNAL", "UNAVAILABLE"];
const REF = "#/components/schemas/";

/** `/api/cohorts/:id` → `/api/cohorts/{id}` */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, "{$1}");

function parameters(def: RouteDef, defs: Record<string, JsonSchema>) {
  const list: JsonSchema[] = [];
  for (const [where, schema] of [
    ["path", def.params],
    ["query", def.query],
  ] as const) {
    if (!schema) continue;
    const json = toJsonSchema(schema, "input", defs, REF) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      list.push({ name, in: where, required: where === "path" || (json.required ?? []).includes(name), schema: property });
    }
  }
  return list;
}

function operation(name: string, def: RouteDef, defs: Record<string, JsonSchema>) {
  const codes = new Set<ErrorCode>([...ALWAYS, ...(def.errors ?? [])]);
  if (def.auth) codes.add("UNAUTHORIZED");
  const responses: Record<string, JsonSchema> = {};
  if (def.status === 204) responses["204"] = { description: "done" };
  else {
    const isText = def.path === "/metrics";
    responses[String(def.status)] = {
      description: "success",
      content: {
        [isText ? "text/plain" : "application/json"]: { schema: toJsonSchema(def.response!, "output", defs, REF) },
      },
    };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  for (const [status, list] of byStatus) {
    responses[String(status)] = {
      description: list.join(" | "),
      content: { "application/json": { schema: { $ref: `${REF}ErrorResponse` } } },
    };
  }
  return {
    operationId: name,
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: [def.tag],
    ...(def.auth ? { security: [{ bearer: [] }] } : {}),
    parameters: parameters(def, defs),
    ...(def.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: toJsonSchema(def.body, "input", defs, REF) } },
          },
        }
      : {}),
    responses,
  };
}

/** OpenAPI 3.1 of every HTTP route, generated from the contract (the same schemas that validate requests). */
export function buildOpenApi(version: string) {
  const defs: Record<string, JsonSchema> = {};
  defs.ErrorResponse = toJsonSchema(ErrorResponse, "output", defs, REF);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, def] of Object.entries(allRoutes) as [string, RouteDef][]) {
    const path = openApiPath(def.path);
    paths[path] = { ...paths[path], [def.method]: operation(name, def, defs) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "cohort-live",
      version,
      description:
        "REST API of cohort-live. Errors are `{error: {code, message, details?}}`; lists page with an exclusive `after` cursor. " +
        "The Socket.IO events are described in AsyncAPI at /api/asyncapi.json (browse them at /docs/events).",
    },
    servers: [{ url: "/" }],
    paths,
    components: { schemas: defs, securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
  };
}
