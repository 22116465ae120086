import type { Notification, ReviewComment, ReviewStatus, Session } from "../contract/index.js";
import type { Logger } from "../logger.js";
import type { AppSocket } from "../realtime/types.js";

/**
 * What happened, in process: domains announce facts here after their commit, and other domains (or the same
 * domain's delivery to sockets) react. One typed map instead of services handed to each other.
 */
export interface DomainEvents {
  /** A user's role or memberships changed (runs on every node, from the bus). */
  "access.changed": { userId: string };
  /** A socket was made to leave a cohort's room because its user lost access to the cohort. */
  "cohort.room.revoked": { socket: AppSocket; room: string; cohortId: string };
  /** Notifications were committed; each goes to its user's sockets on every node. */
  "notifications.created": { items: { userId: string; notification: Notification }[] };
  /** A user marked notifications read. */
  "notifications.read": { userId: string; read: { ids: string[] } | { upTo: string } };
  /** A live session started or ended. */
  "session.status.changed": { session: Session };
  /** A review got a comment. */
  "review.commented": { reviewId: string; comment: ReviewComment };
  /** A review's status changed. */
  "review.status.changed": { reviewId: string; status: ReviewStatus };
}
export type DomainEventName = keyof DomainEvents;
export type DomainListener<K extends DomainEventName> = (event: DomainEvents[K]) => void | Promise<void>;

export interface DomainEventBus {
  /** Runs every listener of `name` (synchronously started; a failing listener is logged, never thrown to the emitter). */
  emit<K extends DomainEventName>(name: K, event: DomainEvents[K]): void;
  /** Like emit, and resolves once every listener settled. */
  emitAndWait<K extends DomainEventName>(name: K, event: DomainEvents[K]): Promise<void>;
  on<K extends DomainEventName>(name: K, listener: DomainListener<K>): void;
}

export function createDomainEvents(logger: Logger): DomainEventBus {
  const listeners = new Map<DomainEventName, DomainListener<never>[]>();
  const run = <K extends DomainEventName>(name: K, event: DomainEvents[K]) =>
    (listeners.get(name) ?? []).map((l) =>
      Promise.resolve()
        .then(() => (l as DomainListener<K>)(event))
        .catch((err: unknown) => logger.warn({ err: (err as Error).message, event: name }, "domain event listener failed")),
    );
  return {
    emit(name, event) {
      void Promise.all(run(name, event));
    },
    async emitAndWait(name, event) {
      await Promise.all(run(name, event));
    },
    on(name, listener) {
      listeners.set(name, [...(listeners.get(name) ?? []), listener as DomainListener<never>]);
    },
  };
}
