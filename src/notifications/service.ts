import type { EntityManager } from "typeorm";
import type { Core } from "../core.js";
import type { NotificationDto, NotificationType } from "../realtime/events.js";

/**
 * Notifications are written inside the caller's transaction (so the triggering write and its
 * notifications commit together) and delivered live only after that commit.
 */
export interface NotificationService {
  /** One row per user, in one set-based INSERT; returns what `deliver` needs. */
  insertForUsers(
    manager: EntityManager,
    userIds: string[],
    type: NotificationType,
    payload: Record<string, unknown>,
  ): Promise<StoredNotification[]>;
  /** One row per member of the cohort except `exceptUserId`, by one `INSERT … SELECT`. */
  insertForCohort(
    manager: EntityManager,
    cohortId: string,
    exceptUserId: string | null,
    type: NotificationType,
    payload: Record<string, unknown>,
  ): Promise<StoredNotification[]>;
  /** Emits `notification` to every socket of each recipient, on every node. Call after commit. */
  deliver(rows: StoredNotification[]): void;
}

export interface StoredNotification {
  userId: string;
  notification: NotificationDto;
}

export function createNotificationService(_core: Core): NotificationService {
  const missing = () => Promise.reject(new Error("notifications are not implemented yet"));
  return { insertForUsers: missing, insertForCohort: missing, deliver: () => {} };
}
