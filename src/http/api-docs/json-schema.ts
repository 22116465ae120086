import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema (2020-12, what OpenAPI 3.1 and AsyncAPI 3 use) of a contract schema. Shapes with an `id`
 * (`.meta({ id })`) are collected into `defs` and referenced as `<refBase><id>`, so each appears once.
 * Responses carry no `additionalProperties: false`: the contract only ever adds fields.
 */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output", defs: Record<string, JsonSchema>, refBase: string) {
  const out = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  const { $schema: _drop, $defs, ...rest } = out as JsonSchema & { $defs?: Record<string, JsonSchema> };
  for (const [id, def] of Object.entries($defs ?? {})) defs[id] ??= relink(def, refBase);
  return relink(rest, refBase);
}

function relink(value: JsonSchema, refBase: string): JsonSchema {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => {
    if (key === "$ref" && typeof v === "string" && v.startsWith("#/$defs/")) return refBase + v.slice("#/$defs/".length);
    if (key === "additionalProperties" && v === false) return undefined;
    return v;
  }) as JsonSchema;
}
