import { reviewRoutes } from "../contract/index.js";
import type { Core } from "../core.js";
import { mountRoutes } from "../http/routes.js";
import type { ReviewService } from "./service.js";

/** The peer-review routes of the contract: translation only, the rules live in the service. */
export function reviewRouter(core: Core, reviews: ReviewService) {
  return mountRoutes(
    reviewRoutes,
    {
      createReview: async ({ params, body }, { caller }) => reviews.create(caller.access, params.id, body),
      listReviews: async ({ params, query }, { caller }) => {
        const { items, nextCursor } = await reviews.list(caller.access, params.id, query);
        return { reviews: items, nextCursor };
      },
      getReview: async ({ params }, { caller }) => reviews.get(caller.access, params.id),
      commentReview: async ({ params, body }, { caller }) => ({ comment: await reviews.comment(caller.access, params.id, body) }),
      giveVerdict: async ({ params, body }, { caller }) => reviews.verdict(caller.access, params.id, body.verdict),
      reviseReview: async ({ params, body }, { caller }) => reviews.revise(caller.access, params.id, body.code),
      closeReview: async ({ params }, { caller }) => reviews.close(caller.access, params.id),
    },
    core,
  );
}
