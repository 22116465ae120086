import { GraphQLBoolean, GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLSchema } from "graphql";
import { connectionOf, type PageArgs, pageArgs, parseId, parsePage, toConnection } from "./connection.js";
import type { GraphQLContext } from "./context.js";
import { buildTypes } from "./types.js";

const idArg = { id: { type: new GraphQLNonNull(GraphQLID) } };

/** The read API of the contract ("API descriptions, web app and GraphQL"): the caller's data, as REST shows it. */
export function buildSchema(): GraphQLSchema {
  const t = buildTypes();
  const query = new GraphQLObjectType<unknown, GraphQLContext>({
    name: "Query",
    fields: {
      me: {
        type: new GraphQLNonNull(t.user),
        resolve: async (_root, _args, ctx) => ctx.services.auth.me((await ctx.caller()).userId),
      },
      cohorts: {
        type: new GraphQLNonNull(connectionOf(t.cohort)),
        description: "the caller's cohorts, oldest first",
        args: pageArgs,
        resolve: async (_root, args: PageArgs, ctx) => {
          const page = await ctx.services.cohorts.listMine((await ctx.caller()).userId, parsePage(args));
          return toConnection(page.items, page.nextCursor, (c) => c.id);
        },
      },
      cohort: {
        type: t.cohort,
        args: idArg,
        resolve: async (_root, args: { id: string }, ctx) => ctx.loaders.cohort.load(parseId(args.id)),
      },
      session: {
        type: t.session,
        args: idArg,
        resolve: async (_root, args: { id: string }, ctx) =>
          ctx.services.sessions.get((await ctx.caller()).access, parseId(args.id)),
      },
      review: {
        type: t.review,
        args: idArg,
        resolve: async (_root, args: { id: string }, ctx) => {
          const { review, reviewers, comments } = await ctx.services.reviews.get((await ctx.caller()).access, parseId(args.id));
          ctx.loaders.reviewers.prime(review.id, reviewers);
          ctx.loaders.comments.prime(review.id, comments);
          return review;
        },
      },
      notifications: {
        type: new GraphQLNonNull(connectionOf(t.notification)),
        description: "the caller's notifications, oldest first; `unread: true` for the unread ones only",
        args: { ...pageArgs, unread: { type: GraphQLBoolean } },
        resolve: async (_root, args: PageArgs & { unread?: boolean | null }, ctx) => {
          const query = { ...parsePage(args), unread: args.unread === true };
          const page = await ctx.services.inbox.list((await ctx.caller()).userId, query);
          return toConnection(page.items, page.nextCursor, (n) => n.id);
        },
      },
    },
  });
  return new GraphQLSchema({ query });
}
