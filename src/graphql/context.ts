import DataLoader from "dataloader";
import type { Request, Response } from "express";
import type { AuthService } from "../auth/index.js";
import type { CohortService } from "../cohorts/index.js";
import type { Cohort, Review, ReviewComment, Reviewer, ReviewStatus } from "../contract/index.js";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { caller as authenticatedCaller, requireAuth } from "../http/auth-middleware.js";
import type { Caller } from "../http/routes.js";
import type { AnnouncementService, NotificationInbox } from "../notifications/index.js";
import type { ReviewBatches, ReviewService } from "../reviews/index.js";
import type { ChatService, DocumentHistory, SessionService } from "../sessions/index.js";

/** The domain services GraphQL reads through: the same ones, with the same permission checks, as REST. */
export interface GraphQLServices {
  auth: AuthService;
  cohorts: CohortService;
  sessions: SessionService;
  chat: ChatService;
  history: DocumentHistory;
  reviews: ReviewService;
  reviewBatches: ReviewBatches;
  inbox: NotificationInbox;
  announcements: AnnouncementService;
}

export interface MemberReviewsKey {
  cohortId: string;
  authorId: string;
  status?: ReviewStatus;
  limit: number;
  after?: string;
}

export interface ReviewPage {
  items: Review[];
  nextCursor: string | null;
}

export interface GraphQLContext {
  services: GraphQLServices;
  /** The authenticated caller (as REST's `requireAuth` finds them), or UNAUTHORIZED. Once per request. */
  caller(): Promise<Caller>;
  loaders: ReturnType<typeof createLoaders>;
}

/** One request's loaders: whatever a query asks for per item is fetched once per request, in one batch. */
function createLoaders(services: GraphQLServices, caller: () => Promise<Caller>) {
  const settle = <T>(p: Promise<T>) =>
    p.catch((err: unknown) => (err instanceof Error ? err : new AppError("INTERNAL", "failed")));
  return {
    cohort: new DataLoader<string, Cohort>(async (ids) => {
      const { access } = await caller();
      return Promise.all(ids.map((id) => settle(services.cohorts.get(access, id))));
    }),
    reviewers: new DataLoader<string, Reviewer[]>(async (ids) => services.reviewBatches.reviewers((await caller()).access, ids)),
    comments: new DataLoader<string, ReviewComment[]>(async (ids) =>
      services.reviewBatches.comments((await caller()).access, ids),
    ),
    memberReviews: new DataLoader<MemberReviewsKey, ReviewPage, string>(
      async (keys) => {
        const { access } = await caller();
        // one statement per (cohort, status, page size): in practice one for the whole query
        const groups = new Map<string, { key: MemberReviewsKey; at: number[] }>();
        keys.forEach((key, i) => {
          const group = `${key.cohortId}|${key.status ?? ""}|${key.limit}`;
          const entry = groups.get(group) ?? { key, at: [] };
          entry.at.push(i);
          groups.set(group, entry);
        });
        const results: (ReviewPage | Error)[] = new Array<ReviewPage | Error>(keys.length);
        for (const { key, at } of groups.values()) {
          const authorKeys = at.map((i) => ({ authorId: keys[i]!.authorId, after: keys[i]!.after }));
          const pages = await settle(
            services.reviewBatches.byAuthors(access, key.cohortId, authorKeys, { status: key.status, limit: key.limit }),
          );
          at.forEach((i, j) => (results[i] = pages instanceof Error ? pages : pages[j]!));
        }
        return results;
      },
      { cacheKeyFn: (k) => JSON.stringify([k.cohortId, k.authorId, k.status ?? null, k.limit, k.after ?? null]) },
    ),
  };
}

/** The context of one GraphQL request on the Express app. */
export function createContext(core: Pick<Core, "tokens" | "access">, services: GraphQLServices, req: Request, res: Response) {
  const authenticate = requireAuth(core.tokens, core.access);
  let pending: Promise<Caller> | null = null;
  const caller = () =>
    (pending ??= (async () => {
      await authenticate(req, res, () => undefined);
      return authenticatedCaller(req);
    })());
  const context: GraphQLContext = { services, caller, loaders: createLoaders(services, caller) };
  return context;
}
