import { z } from "zod";
import { clientEvents, route, serverEvents } from "./define.js";
import { IdParams, isoTime, limitParam, nextCursor, pageQuery, text, uuid } from "./primitives.js";
import { Author } from "./users.js";

export const NotificationType = z.enum([
  "announcement",
  "session_started",
  "review_requested",
  "review_revised",
  "review_comment",
  "review_verdict",
]);
export type NotificationType = z.infer<typeof NotificationType>;

export const Notification = z
  .object({
    id: uuid,
    type: NotificationType,
    /** By type — see the contract's "Notifications": ids and titles a client needs to show and link it. */
    payload: z.record(z.string(), z.unknown()),
    createdAt: isoTime,
    readAt: isoTime.nullable(),
  })
  .meta({ id: "Notification" });
export type Notification = z.infer<typeof Notification>;

export const Announcement = z
  .object({
    id: uuid,
    cohortId: uuid,
    author: Author,
    title: z.string(),
    body: z.string(),
    createdAt: isoTime,
  })
  .meta({ id: "Announcement" });
export type Announcement = z.infer<typeof Announcement>;

export const NotificationListQuery = z.object({
  after: uuid.optional(),
  limit: limitParam(100),
  /** v2: `desc` lists newest first, and `after` then continues towards older items. */
  order: z.enum(["asc", "desc"]).optional().default("asc"),
  unread: z
    .enum(["true", "false", "1", "0"])
    .optional()
    .transform((v) => v === "true" || v === "1"),
});
export const ReadBody = z
  .object({ ids: z.array(uuid).max(1000).optional(), upTo: uuid.optional() })
  .refine((b) => (b.ids === undefined) !== (b.upTo === undefined), { message: "send either ids or upTo" });
export const CreateAnnouncementBody = z.object({ title: text(1, 200), body: text(1, 10_000) });

const NotificationPage = z.object({ items: z.array(Notification), nextCursor });

const TAG = "Notifications";
export const notificationRoutes = {
  listNotifications: route({
    method: "get",
    path: "/api/notifications",
    tag: TAG,
    summary: "The caller's notifications, oldest first or with `order=desc` newest first (optionally unread only)",
    auth: true,
    query: NotificationListQuery,
    status: 200,
    response: NotificationPage,
    errors: ["NOT_FOUND"],
  }),
  streamNotifications: route({
    method: "get",
    path: "/api/notifications/stream",
    tag: TAG,
    summary: "Server-sent events: each new notification as `id` / `event: notification` / `data`",
    description:
      "Authenticated by `Authorization: Bearer` or `?access_token=` (for EventSource; never logged). `Last-Event-ID` " +
      "(or `?after=`) first replays what came after that id, oldest first. A comment line at least every 25 s; " +
      "within 10 s after the token expires, `event: auth-expired` and the stream ends (reconnect with a fresh token " +
      "and Last-Event-ID).",
    auth: false,
    query: z.object({ access_token: z.string().optional(), after: uuid.optional() }),
    status: 200,
    response: z.string().meta({ description: "text/event-stream" }),
    errors: ["NOT_FOUND"],
  }),
  unreadCount: route({
    method: "get",
    path: "/api/notifications/unread-count",
    tag: TAG,
    summary: "How many of the caller's notifications are unread",
    auth: true,
    status: 200,
    response: z.object({ count: z.number().int() }),
  }),
  markRead: route({
    method: "post",
    path: "/api/notifications/read",
    tag: TAG,
    summary: "Mark notifications read by ids, or every one up to an id (inclusive); others' ids are ignored",
    auth: true,
    body: ReadBody,
    status: 204,
  }),
  createAnnouncement: route({
    method: "post",
    path: "/api/cohorts/:id/announcements",
    tag: TAG,
    summary: "Announce to a cohort (its mentors); every other member gets a notification",
    auth: true,
    params: IdParams,
    body: CreateAnnouncementBody,
    status: 201,
    response: z.object({ announcement: Announcement }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  listAnnouncements: route({
    method: "get",
    path: "/api/cohorts/:id/announcements",
    tag: TAG,
    summary: "A cohort's announcements, oldest first",
    auth: true,
    params: IdParams,
    query: pageQuery(100),
    status: 200,
    response: z.object({ announcements: z.array(Announcement), nextCursor }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
};

export const notificationEvents = clientEvents({
  "notifications:sync": {
    summary: "What the client missed: at most 100 notifications after `after` (without it: the unread ones), oldest first",
    payload: z.object({ after: uuid.nullish() }),
    ack: NotificationPage,
  },
});

export const notificationServerEvents = serverEvents({
  notification: { summary: "A new notification of the user, to every socket of the user on any node", payload: Notification },
  "notification:read": {
    summary: "Notifications were marked read (by ids, or up to an id)",
    payload: z.union([z.object({ ids: z.array(uuid) }), z.object({ upTo: uuid })]),
  },
});
