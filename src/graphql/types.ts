import { GraphQLNonNull, type GraphQLNullableType, type GraphQLObjectType, GraphQLString } from "graphql";
import {
  Announcement,
  Author,
  ChatMessage,
  Cohort,
  CohortRole,
  DocumentAuthor,
  isoTime,
  Member,
  Notification,
  NotificationType,
  Review,
  ReviewComment,
  Reviewer,
  ReviewStatus,
  Session,
  SessionStatus,
  sessionRoutes,
  User,
  UserRef,
  UserRole,
  Verdict,
} from "../contract/index.js";
import { AppError } from "../errors.js";
import { connectionOf, type PageArgs, pageArgs, parsePage, sliceConnection, toConnection } from "./connection.js";
import type { GraphQLContext } from "./context.js";
import { ZodTypeMapper } from "./zod-types.js";

/** A member as a node of `Cohort.members`: the REST member, plus the cohort it was listed in (not a field). */
export type MemberNode = Member & { cohortId: string };

const nonNull = <T extends GraphQLNullableType>(t: T) => new GraphQLNonNull(t);

function parseSince(since: unknown): number | null {
  if (since === undefined || since === null) return null;
  const parsed = isoTime.safeParse(since);
  if (!parsed.success) throw new AppError("INVALID_PAYLOAD", "invalid argument since: must be an ISO-8601 time");
  return Date.parse(parsed.data);
}

/**
 * Every object type of the schema: the contract's shapes through the mapper, and the relations between them,
 * each resolved through a domain service (or a per-request loader over one) with the caller's access.
 */
export function buildTypes() {
  const m = new ZodTypeMapper<GraphQLContext>();
  const cohortRole = m.enum("CohortRole", CohortRole);
  m.enum("UserRole", UserRole);
  m.enum("SessionStatus", SessionStatus);
  const reviewStatus = m.enum("ReviewStatus", ReviewStatus);
  m.enum("Verdict", Verdict);
  m.enum("NotificationType", NotificationType);
  void cohortRole;

  const user = m.object("User", User);
  m.object("UserRef", UserRef);
  m.object("Author", Author);
  const reviewer = m.object("Reviewer", Reviewer);
  const comment = m.object("ReviewComment", ReviewComment);
  const message = m.object("ChatMessage", ChatMessage);
  const announcement = m.object("Announcement", Announcement);
  const notification = m.object("Notification", Notification);
  const document = m.object("Document", sessionRoutes.getDocument.response);
  const documentAuthor = m.object("DocumentAuthor", DocumentAuthor);

  type Obj<T> = GraphQLObjectType<T, GraphQLContext>;
  const cohort: Obj<Cohort> = m.object("Cohort", Cohort, () => ({
    members: {
      type: nonNull(connectionOf(member)),
      args: pageArgs,
      resolve: async (c, args: PageArgs, ctx) => {
        const page = await ctx.services.cohorts.members((await ctx.caller()).access, c.id, parsePage(args));
        const nodes: MemberNode[] = page.items.map((item) => ({ ...item, cohortId: c.id }));
        return toConnection(nodes, page.nextCursor, (n) => n.user.id);
      },
    },
    sessions: {
      type: nonNull(connectionOf(session)),
      description: "oldest first; with `since`, only sessions created, started or ended at or after that time",
      args: { ...pageArgs, since: { type: GraphQLString, description: "an ISO-8601 time" } },
      resolve: async (c, args: PageArgs & { since?: string | null }, ctx) => {
        const since = parseSince(args.since);
        const all = await ctx.services.sessions.list((await ctx.caller()).access, c.id);
        const recent =
          since === null
            ? all
            : all.filter((s) => [s.createdAt, s.startedAt, s.endedAt].some((t) => t !== null && Date.parse(t) >= since));
        return sliceConnection(recent, args, (s) => s.id);
      },
    },
    reviews: {
      type: nonNull(connectionOf(review)),
      args: { ...pageArgs, status: { type: reviewStatus } },
      resolve: async (c, args: PageArgs & { status?: ReviewStatus | null }, ctx) => {
        const query = { ...parsePage(args), ...(args.status ? { status: args.status } : {}) };
        const page = await ctx.services.reviews.list((await ctx.caller()).access, c.id, query);
        return toConnection(page.items, page.nextCursor, (r) => r.id);
      },
    },
    announcements: {
      type: nonNull(connectionOf(announcement)),
      args: pageArgs,
      resolve: async (c, args: PageArgs, ctx) => {
        const page = await ctx.services.announcements.list((await ctx.caller()).access, c.id, parsePage(args));
        return toConnection(page.announcements, page.nextCursor, (a) => a.id);
      },
    },
  }));

  const member: Obj<MemberNode> = m.object<typeof Member, MemberNode>("Member", Member, () => ({
    reviews: {
      type: nonNull(connectionOf(review)),
      description: "the reviews this member asked for in this cohort, oldest first",
      args: { ...pageArgs, status: { type: reviewStatus } },
      resolve: async (node, args: PageArgs & { status?: ReviewStatus | null }, ctx) => {
        const { limit, after } = parsePage(args);
        const key = { cohortId: node.cohortId, authorId: node.user.id, limit, after, status: args.status ?? undefined };
        const page = await ctx.loaders.memberReviews.load(key);
        return toConnection(page.items, page.nextCursor, (r) => r.id);
      },
    },
  }));

  const session: Obj<Session> = m.object("Session", Session, () => ({
    cohort: { type: nonNull(cohort), resolve: (s, _args, ctx) => ctx.loaders.cohort.load(s.cohortId) },
    document: {
      type: nonNull(document),
      resolve: async (s, _args, ctx) => ctx.services.sessions.document((await ctx.caller()).access, s.id),
    },
    authors: {
      type: nonNull(connectionOf(documentAuthor)),
      description: "who edited the document, how many updates each, and when last (as `GET /api/sessions/:id/authors`)",
      args: pageArgs,
      resolve: async (s, args: PageArgs, ctx) => {
        await ctx.services.sessions.readable((await ctx.caller()).access, s.id);
        return sliceConnection(await ctx.services.history.authors(s.id), args, (a) => a.user.id);
      },
    },
    chat: {
      type: nonNull(connectionOf(message)),
      args: pageArgs,
      resolve: async (s, args: PageArgs, ctx) => {
        const page = parsePage(args);
        await ctx.services.sessions.readable((await ctx.caller()).access, s.id);
        const { messages, nextCursor } = await ctx.services.chat.history(s.id, page);
        return toConnection(messages, nextCursor, (msg) => msg.id);
      },
    },
  }));

  const review: Obj<Review> = m.object("Review", Review, () => ({
    cohort: { type: nonNull(cohort), resolve: (r, _args, ctx) => ctx.loaders.cohort.load(r.cohortId) },
    reviewers: {
      type: nonNull(connectionOf(reviewer)),
      args: pageArgs,
      resolve: async (r, args: PageArgs, ctx) => sliceConnection(await ctx.loaders.reviewers.load(r.id), args, (x) => x.user.id),
    },
    comments: {
      type: nonNull(connectionOf(comment)),
      args: pageArgs,
      resolve: async (r, args: PageArgs, ctx) => sliceConnection(await ctx.loaders.comments.load(r.id), args, (x) => x.id),
    },
  }));

  return { user, cohort, member, session, review, notification, announcement };
}
