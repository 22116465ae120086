import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import {
  getNamedType,
  GraphQLError,
  GraphQLObjectType,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { DEFAULT_FIRST, MAX_FIRST } from "./connection.js";

/** The deepest query accepted (fields nested in fields, the operation's own being 1). */
export const MAX_DEPTH = 10;
/**
 * The most list items one query may ask for: each connection counts its `first` (default DEFAULT_FIRST, a variable
 * counts as MAX_FIRST) times the sizes of the connections it is nested in. A dashboard with 100 members and their
 * 50 newest reviews is 5,100; a cohort's members' reviews' comments at full page sizes is 1,000,000.
 */
export const MAX_LIST_ITEMS = 50_000;

/** The items a selection may return under `multiplier` parents of type `parent`. */
function selectionCost(
  ctx: ValidationContext,
  set: SelectionSetNode,
  parent: GraphQLObjectType,
  multiplier: number,
  fragments: Set<string>,
): number {
  let cost = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = ctx.getFragment(sel.name.value);
      if (!fragment || fragments.has(sel.name.value)) continue;
      cost += selectionCost(ctx, fragment.selectionSet, parent, multiplier, new Set([...fragments, sel.name.value]));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      cost += selectionCost(ctx, sel.selectionSet, parent, multiplier, fragments);
    } else if (sel.selectionSet) {
      const type = getNamedType(parent.getFields()[sel.name.value]?.type);
      if (!(type instanceof GraphQLObjectType)) continue;
      let size = 1;
      if (type.name.endsWith("Connection")) {
        const first = sel.arguments?.find((a) => a.name.value === "first")?.value;
        size = !first ? DEFAULT_FIRST : first.kind === Kind.INT ? Number(first.value) : MAX_FIRST;
        cost += multiplier * size;
      }
      cost += selectionCost(ctx, sel.selectionSet, type, multiplier * size, fragments);
    }
  }
  return cost;
}

/** Refuses operations that could return more than `max` list items (see MAX_LIST_ITEMS). */
export function listItemsRule(max: number): ValidationRule {
  return (ctx) => ({
    OperationDefinition(node) {
      const root = ctx.getSchema().getRootType(node.operation);
      if (!root) return false;
      const cost = selectionCost(ctx, node.selectionSet, root, 1, new Set());
      if (cost > max) {
        ctx.reportError(
          new GraphQLError(`query too costly: it may return ${cost} list items, at most ${max} are allowed`, { nodes: [node] }),
        );
      }
      return false;
    },
  });
}

/** Depth, aliases, directives and tokens (graphql-armor), then the cost limit: the list-items rule. */
export function limitPlugins(production: boolean): (Plugin | ReturnType<typeof EnvelopArmorPlugin>)[] {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: MAX_DEPTH },
    // armor's static cost grows with depth, not with list sizes: the list-items rule below is the cost limit
    costLimit: { enabled: false },
    maxAliases: { n: 15 },
    maxDirectives: { n: 50 },
    maxTokens: { n: 2000 },
    // "did you mean …?" helps a developer, and tells an attacker the schema: off in production
    blockFieldSuggestion: { enabled: production },
  });
  const listItems: Plugin = {
    onValidate({ addValidationRule }) {
      addValidationRule(listItemsRule(MAX_LIST_ITEMS));
    },
  };
  return [armor, listItems];
}
