import { defineHandler } from "../realtime/handler.js";
import type { ReviewService } from "./service.js";

/** `review:subscribe` / `review:unsubscribe {reviewId}`: any member of the review's cohort. */
export function reviewHandlers(reviews: ReviewService) {
  return [
    defineHandler("review:subscribe", async ({ reviewId }, { socket, access }) => {
      await reviews.subscribe(socket, access, reviewId);
      return {};
    }),
    defineHandler("review:unsubscribe", async ({ reviewId }, { socket, access }) => {
      await reviews.unsubscribe(socket, access, reviewId);
      return {};
    }),
  ];
}
