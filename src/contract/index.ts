/**
 * The public interface of cohort-live as code: every shape, REST route and Socket.IO event, once. The server
 * registers its handlers from these tables, the OpenAPI and AsyncAPI documents are generated from them, and
 * clients (`cohort-live/client`) import their types. Browser-safe: zod only.
 */
import { authEvents, authRoutes, authServerEvents } from "./auth.js";
import { cohortRoutes } from "./cohorts.js";
import type { ClientEventMap, ServerEventMap } from "./define.js";
import { graphqlRoutes } from "./graphql.js";
import { notificationEvents, notificationRoutes, notificationServerEvents } from "./notifications.js";
import { invitationRoutes } from "./invitations.js";
import { opsRoutes, opsServerEvents } from "./ops.js";
import { passwordResetRoutes } from "./password-reset.js";
import { pushRoutes } from "./push.js";
import { reviewEvents, reviewRoutes, reviewServerEvents } from "./reviews.js";
import { sessionEvents, sessionRoutes, sessionServerEvents } from "./sessions.js";

/** The contract version the documents describe (v2 adds to v1, never breaks it). */
export const CONTRACT_VERSION = "2.0.0";

export * from "./auth.js";
export * from "./cohorts.js";
export * from "./define.js";
export * from "./errors.js";
export * from "./graphql.js";
export * from "./notifications.js";
export * from "./invitations.js";
export * from "./ops.js";
export * from "./password-reset.js";
export * from "./primitives.js";
export * from "./push.js";
export * from "./reviews.js";
export * from "./sessions.js";
export * from "./users.js";

/** Every route under /api, by name. */
export const apiRoutes = {
  ...authRoutes,
  ...passwordResetRoutes,
  ...cohortRoutes,
  ...invitationRoutes,
  ...sessionRoutes,
  ...reviewRoutes,
  ...notificationRoutes,
  ...pushRoutes,
};
export type ApiRoutes = typeof apiRoutes;
export type RouteName = keyof ApiRoutes;

/** Every documented HTTP route: the API plus the platform's own (/healthz, /readyz, /metrics). */
export const allRoutes = { ...apiRoutes, ...graphqlRoutes, ...opsRoutes };

/** Client → server events, each with its payload and success ack. */
export const clientEventTable = { ...authEvents, ...sessionEvents, ...reviewEvents, ...notificationEvents };
/** Server → client events. */
export const serverEventTable = {
  ...authServerEvents,
  ...opsServerEvents,
  ...sessionServerEvents,
  ...reviewServerEvents,
  ...notificationServerEvents,
};

export type ClientEvents = typeof clientEventTable;
export type ClientEventName = keyof ClientEvents;
export type ClientToServerEvents = ClientEventMap<ClientEvents>;
export type ServerToClientEvents = ServerEventMap<typeof serverEventTable>;
export type ServerEventName = keyof typeof serverEventTable;
