/** The Socket.IO room of a review's live events (joined only through `core.rooms.join`, so it is cohort-scoped). */
export const reviewRoom = (reviewId: string) => `review:${reviewId}`;
