import { GraphQLBoolean, GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString } from "graphql";
import { z } from "zod";
import { uuid } from "../contract/index.js";
import { AppError } from "../errors.js";

/** Page sizes of every GraphQL list: `first` 1..MAX_FIRST, DEFAULT_FIRST when absent. */
export const DEFAULT_FIRST = 50;
export const MAX_FIRST = 100;

export interface Connection<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export const pageArgs = {
  first: { type: GraphQLInt, description: `how many items (1..${MAX_FIRST}, default ${DEFAULT_FIRST})` },
  after: { type: GraphQLID, description: "an exclusive cursor: a previous page's `endCursor`" },
};

const PageArgsSchema = z.object({
  first: z.number().int().min(1).max(MAX_FIRST).nullish(),
  after: uuid.nullish(),
});

/** `first`/`after` as the REST lists take them (`limit`/`after`); a bad value is INVALID_PAYLOAD. */
export function parsePage(args: PageArgs): { limit: number; after?: string } {
  const parsed = PageArgsSchema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("INVALID_PAYLOAD", `invalid argument ${String(issue?.path[0] ?? "")}: ${issue?.message ?? "invalid"}`);
  }
  return { limit: parsed.data.first ?? DEFAULT_FIRST, ...(parsed.data.after ? { after: parsed.data.after } : {}) };
}

/** An id argument: a malformed id is INVALID_PAYLOAD (400 in REST), never a database error. */
export function parseId(value: unknown, name = "id"): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success) throw new AppError("INVALID_PAYLOAD", `invalid argument ${name}: must be a valid id`);
  return parsed.data;
}

/** A page the service returned (`nextCursor` as REST), as a connection. */
export function toConnection<T>(items: T[], nextCursor: string | null, cursorOf: (item: T) => string): Connection<T> {
  const last = items[items.length - 1];
  return { nodes: items, pageInfo: { endCursor: last ? cursorOf(last) : null, hasNextPage: nextCursor !== null } };
}

/** A connection over a list the service returns whole (as its REST route does); an unknown cursor is NOT_FOUND. */
export function sliceConnection<T>(all: T[], args: PageArgs, cursorOf: (item: T) => string): Connection<T> {
  const { limit, after } = parsePage(args);
  let start = 0;
  if (after) {
    const at = all.findIndex((item) => cursorOf(item) === after);
    if (at < 0) throw new AppError("NOT_FOUND", "cursor not found");
    start = at + 1;
  }
  const items = all.slice(start, start + limit);
  return toConnection(items, start + limit < all.length ? cursorOf(items[items.length - 1]!) : null, cursorOf);
}

export const PageInfo = new GraphQLObjectType({
  name: "PageInfo",
  fields: {
    endCursor: { type: GraphQLString, description: "the last node's cursor (pass it as `after`), null when there are no nodes" },
    hasNextPage: { type: new GraphQLNonNull(GraphQLBoolean) },
  },
});

const connections = new WeakMap<GraphQLObjectType, GraphQLObjectType>();

/** `{nodes, pageInfo}` of a node type, one per node type. */
export function connectionOf(node: GraphQLObjectType): GraphQLObjectType {
  let type = connections.get(node);
  if (!type) {
    type = new GraphQLObjectType({
      name: `${node.name}Connection`,
      fields: {
        nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(node))) },
        pageInfo: { type: new GraphQLNonNull(PageInfo) },
      },
    });
    connections.set(node, type);
  }
  return type;
}
