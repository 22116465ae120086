/** GraphQL calls for the tests, and selection sets made from the contract's zod shapes (all of a type's fields). */
import { z } from "zod";
import type { Node } from "../support/servers.js";

export interface GqlResponse<T = any> {
  status: number;
  body: { data?: T | null; errors?: { message: string; path?: (string | number)[]; extensions: { code: string } }[] };
}

export async function gql<T = any>(
  node: Node | string,
  query: string,
  opts: { token?: string; variables?: Record<string, unknown>; method?: "GET" | "POST" } = {},
): Promise<GqlResponse<T>> {
  const base = typeof node === "string" ? node : node.url;
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  if (opts.method === "GET") {
    const params = new URLSearchParams({ query });
    if (opts.variables) params.set("variables", JSON.stringify(opts.variables));
    res = await fetch(`${base}/graphql?${params}`, { headers, signal: AbortSignal.timeout(20_000) });
  } else {
    headers["content-type"] = "application/json";
    res = await fetch(`${base}/graphql`, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables: opts.variables }),
      signal: AbortSignal.timeout(20_000),
    });
  }
  return { status: res.status, body: (await res.json()) as GqlResponse<T>["body"] };
}

/** "ok" when the query answered without errors, else the first error's contract code. */
export const outcome = (res: GqlResponse): string => res.body.errors?.[0]?.extensions.code ?? "ok";

/** The REST status as the same outcome. */
export const restOutcome = (status: number): string =>
  ({ 200: "ok", 400: "INVALID_PAYLOAD", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND" })[status] ?? `HTTP ${status}`;

/** Every field of a contract object shape, nested objects included, as a GraphQL selection set. */
export function selectionOf(schema: z.ZodObject): string {
  const fields = Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
    let inner: z.ZodType = field;
    while (inner instanceof z.ZodNullable || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    return inner instanceof z.ZodObject ? `${key} ${selectionOf(inner)}` : key;
  });
  return `{ ${fields.join(" ")} }`;
}

/** GraphQL answers an absent optional field (a user's email hidden from the caller) with null; REST leaves it out. */
export function withoutNullEmails<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNullEmails) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => !(k === "email" && v === null))
        .map(([k, v]) => [k, withoutNullEmails(v)]),
    ) as T;
  }
  return value;
}
