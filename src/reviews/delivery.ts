import type { Core } from "../core.js";
import { reviewRoom } from "./rooms.js";

/** The one place review events reach sockets: every subscriber of the review's room, on every node. */
export function deliverReviewEvents(core: Pick<Core, "events" | "io">): void {
  const { events, io } = core;
  events.on("review.status.changed", ({ reviewId, status }) => {
    io.to(reviewRoom(reviewId)).emit("review:status", { reviewId, status });
  });
  events.on("review.commented", ({ reviewId, comment }) => {
    io.to(reviewRoom(reviewId)).emit("review:comment", { reviewId, comment });
  });
}
