import type { EntityManager } from "typeorm";
import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { pageOf, rowsToFetch } from "../db/paging.js";
import { iso } from "../db/time.js";
import type { Notification as NotificationDto, NotificationType } from "../contract/index.js";

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
  /** Runs the `committed` hooks of written notifications (delivery.ts calls it when `notifications.created` fires). */
  committed(rows: StoredNotification[]): void;
  /** Lets another domain act on every notification written: in its transaction, and once it committed. */
  onWritten(hook: NotificationHook): void;
}

/** A reaction to written notifications (e.g. push jobs): `inTransaction` commits or rolls back with them. */
export interface NotificationHook {
  inTransaction(manager: EntityManager, rows: StoredNotification[]): Promise<void>;
  committed(rows: StoredNotification[]): void;
}

export interface StoredNotification {
  userId: string;
  notification: NotificationDto;
}

export interface NotificationPage {
  items: NotificationDto[];
  nextCursor: string | null;
}

export interface ListOptions {
  after?: string;
  limit: number;
  unread?: boolean;
  /** `desc`: newest first, `after` continuing towards older items. */
  order?: "asc" | "desc";
}

/** `{ids}` marks those of the caller's notifications; `{upTo}` marks every one up to it, inclusive. */
export type MarkRead = { ids: string[] } | { upTo: string };

/** What the caller's own notification inbox offers (REST and `notifications:sync`). */
export interface NotificationInbox {
  list(userId: string, opts: ListOptions): Promise<NotificationPage>;
  /** Catch-up after a reconnect: ≤ 100 after `after`, or the unread ones without it, oldest first. */
  sync(userId: string, after?: string): Promise<NotificationPage>;
  unreadCount(userId: string): Promise<number>;
  /** Marks as read (others' ids are ignored), then announces `notifications.read` (every socket of the user hears it). */
  markRead(userId: string, input: MarkRead): Promise<void>;
}

export const SYNC_LIMIT = 100;

interface NotificationRow {
  id: string;
  user_id: string;
  type: NotificationType;
  payload: Record<string, unknown> | string;
  created_at: Date | string;
  read_at: Date | string | null;
}

const COLUMNS = "id, user_id, type, payload, created_at, read_at";

/**
 * Transactions that write notifications take this lock (held to their commit) and stamp rows with
 * clock_timestamp(), so (created_at, id) order is commit order: a client paging or syncing with an `after`
 * cursor never skips a notification that committed late with an earlier time. It is the last lock those
 * transactions take (their row locks come first), so it cannot deadlock with them.
 */
const NOTIFICATION_ORDER_LOCK = 720_431_978;

function toStored(r: NotificationRow): StoredNotification {
  const payload = typeof r.payload === "string" ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload;
  return {
    userId: r.user_id,
    notification: { id: r.id, type: r.type, payload, createdAt: iso(r.created_at), readAt: r.read_at ? iso(r.read_at) : null },
  };
}

export function createNotificationService(core: Pick<Core, "db" | "events">): NotificationService & NotificationInbox {
  const { db, events } = core;
  const hooks: NotificationHook[] = [];
  const written = async (manager: EntityManager, rows: StoredNotification[]) => {
    for (const hook of hooks) await hook.inTransaction(manager, rows);
    return rows;
  };

  async function list(userId: string, opts: ListOptions): Promise<NotificationPage> {
    // raw SQL, kept in step with test/notifications/inbox-v2's EXPLAIN: both orders must walk
    // idx_notifications_user_cursor (a 100k-row inbox is never sorted); the page cut is the shared helper's
    const params: unknown[] = [userId, rowsToFetch(opts.limit)];
    const desc = opts.order === "desc";
    let where = "user_id = $1";
    if (opts.unread) where += " AND read_at IS NULL";
    if (opts.after) {
      params.push(opts.after);
      where += ` AND (created_at, id) ${desc ? "<" : ">"} (SELECT created_at, id FROM notifications WHERE id = $3 AND user_id = $1)`;
    }
    // both directions walk idx_notifications_user_cursor (user_id, created_at, id), backwards for desc
    const rows = (await db.query(
      `SELECT ${COLUMNS} FROM notifications WHERE ${where} ORDER BY ${desc ? "created_at DESC, id DESC" : "created_at, id"} LIMIT $2`,
      params,
    )) as NotificationRow[];
    if (rows.length === 0 && opts.after) {
      const found: unknown[] = await db.query("SELECT 1 FROM notifications WHERE id = $1 AND user_id = $2", [opts.after, userId]);
      if (found.length === 0) throw new AppError("NOT_FOUND", "notification not found");
    }
    const page = pageOf(rows, opts.limit, (r) => r.id);
    return { items: page.items.map((r) => toStored(r).notification), nextCursor: page.nextCursor };
  }

  return {
    async insertForUsers(manager, userIds, type, payload) {
      const unique = [...new Set(userIds)];
      if (unique.length === 0) return [];
      await manager.query("SELECT pg_advisory_xact_lock($1)", [NOTIFICATION_ORDER_LOCK]);
      const rows = (await manager.query(
        `INSERT INTO notifications (user_id, type, payload, created_at)
         SELECT u, $2::varchar, $3::jsonb, clock_timestamp() FROM unnest($1::uuid[]) AS u
         RETURNING ${COLUMNS}`,
        [unique, type, JSON.stringify(payload)],
      )) as NotificationRow[];
      return written(manager, rows.map(toStored));
    },

    async insertForCohort(manager, cohortId, exceptUserId, type, payload) {
      await manager.query("SELECT pg_advisory_xact_lock($1)", [NOTIFICATION_ORDER_LOCK]);
      const rows = (await manager.query(
        `INSERT INTO notifications (user_id, type, payload, created_at)
         SELECT m.user_id, $3::varchar, $4::jsonb, clock_timestamp() FROM memberships m
          WHERE m.cohort_id = $1 AND m.user_id IS DISTINCT FROM $2::uuid
         RETURNING ${COLUMNS}`,
        [cohortId, exceptUserId, type, JSON.stringify(payload)],
      )) as NotificationRow[];
      return written(manager, rows.map(toStored));
    },

    onWritten(hook) {
      hooks.push(hook);
    },

    committed(rows) {
      for (const hook of hooks) hook.committed(rows);
    },

    list,

    sync(userId, after) {
      return after ? list(userId, { after, limit: SYNC_LIMIT }) : list(userId, { unread: true, limit: SYNC_LIMIT });
    },

    async unreadCount(userId) {
      const [row] = (await db.query("SELECT count(*)::int AS count FROM notifications WHERE user_id = $1 AND read_at IS NULL", [
        userId,
      ])) as { count: number }[];
      return Number(row?.count ?? 0);
    },

    async markRead(userId, input) {
      if ("ids" in input) {
        const ids = [...new Set(input.ids)];
        if (ids.length === 0) return;
        // only the caller's ids count; those already read are reported again (harmless for clients)
        const owned = (await db.query(
          `WITH owned AS (SELECT id FROM notifications WHERE user_id = $1 AND id = ANY($2::uuid[])),
                marked AS (UPDATE notifications SET read_at = now() WHERE id IN (SELECT id FROM owned) AND read_at IS NULL RETURNING id)
           SELECT id FROM owned`,
          [userId, ids],
        )) as { id: string }[];
        if (owned.length > 0) events.emit("notifications.read", { userId, read: { ids: owned.map((r) => r.id) } });
        return;
      }
      const [result] = (await db.query(
        `WITH target AS (SELECT created_at, id FROM notifications WHERE id = $2 AND user_id = $1),
              marked AS (UPDATE notifications n SET read_at = now() FROM target t
                          WHERE n.user_id = $1 AND n.read_at IS NULL AND (n.created_at, n.id) <= (t.created_at, t.id)
                          RETURNING n.id)
         SELECT (SELECT count(*) FROM target)::int AS found, (SELECT count(*) FROM marked)::int AS marked`,
        [userId, input.upTo],
      )) as { found: number; marked: number }[];
      if (!result || Number(result.found) === 0) throw new AppError("NOT_FOUND", "notification not found");
      events.emit("notifications.read", { userId, read: { upTo: input.upTo } });
    },
  };
}
