import type { Core, DomainModule } from "../core.js";
import type { NotificationService } from "../notifications/index.js";
import { deliverReviewEvents } from "./delivery.js";
import { reviewRouter } from "./routes.js";
import { createReviewBatches, type ReviewBatches } from "./batch.js";
import { createReviewService, type ReviewService } from "./service.js";
import { reviewHandlers } from "./socket.js";

export function reviewsModule(
  core: Core,
  notifications: NotificationService,
): DomainModule & { service: ReviewService; batches: ReviewBatches } {
  const reviews = createReviewService(core, notifications);
  deliverReviewEvents(core);
  return {
    service: reviews,
    batches: createReviewBatches(core),
    routes: reviewRouter(core, reviews),
    handlers: reviewHandlers(reviews),
  };
}

export type { ReviewService } from "./service.js";
export type { ReviewBatches } from "./batch.js";
