import type { Core, DomainModule } from "../core.js";
import type { NotificationService } from "../notifications/index.js";
import { deliverReviewEvents } from "./delivery.js";
import { reviewRouter } from "./routes.js";
import { createReviewService } from "./service.js";
import { reviewHandlers } from "./socket.js";

export function reviewsModule(core: Core, notifications: NotificationService): DomainModule {
  const reviews = createReviewService(core, notifications);
  deliverReviewEvents(core);
  return { routes: reviewRouter(core, reviews), handlers: reviewHandlers(reviews) };
}
