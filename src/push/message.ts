import type { Notification as NotificationDto } from "../contract/index.js";

/** The decrypted body of every push: the notification itself plus what a system notification shows. */
export interface PushMessage {
  notification: NotificationDto;
  title: string;
  body: string;
  /** A path in the web app that shows what the notification is about. */
  url: string;
}

const TITLE_MAX = 100;
const BODY_MAX = 200;
/** Web Push carries at most 4096 bytes, of which encryption takes 103 (RFC 8291): keep the JSON well below. */
export const PUSH_BODY_MAX_BYTES = 3800;

/** Cuts to `max` code points (never half a surrogate pair), with an ellipsis when something was cut. */
function clip(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  return chars.length <= max ? chars.join("") : chars.slice(0, max - 1).join("") + "…";
}

const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);
const nameOf = (v: unknown, fallback: string): string =>
  typeof v === "object" && v !== null && typeof (v as { displayName?: unknown }).displayName === "string"
    ? (v as { displayName: string }).displayName
    : fallback;

const VERDICTS: Record<string, string> = { approve: "approved", request_changes: "asked for changes on" };

/** Texts a person reads on a lock screen, from the notification's payload (v2 payloads carry the names). */
export function pushMessage(notification: NotificationDto): PushMessage {
  const p = notification.payload;
  const quoted = `“${str(p.title, "untitled")}”`;
  let title: string;
  let body: string;
  let url: string;
  switch (notification.type) {
    case "announcement":
      title = `Announcement: ${str(p.title)}`;
      body = `${nameOf(p.author, "A mentor")} posted to your cohort`;
      url = `/cohorts/${str(p.cohortId)}`;
      break;
    case "session_started":
      title = "A live session started";
      body = `${quoted} is live now — join in`;
      url = `/sessions/${str(p.sessionId)}`;
      break;
    case "review_requested":
      title = "Review requested";
      body = `You were asked to review ${quoted}`;
      url = `/reviews/${str(p.reviewId)}`;
      break;
    case "review_revised":
      title = "Revision ready for review";
      body = `${quoted} has a new revision`;
      url = `/reviews/${str(p.reviewId)}`;
      break;
    case "review_comment":
      title = `${nameOf(p.author, "Someone")} commented on ${quoted}`;
      body = str(p.excerpt, "New comment");
      url = `/reviews/${str(p.reviewId)}`;
      break;
    case "review_verdict":
      title = `${nameOf(p.reviewer, "A reviewer")} ${VERDICTS[str(p.verdict)] ?? "reviewed"} ${quoted}`;
      body =
        p.status === "approved"
          ? "Your review is approved"
          : p.status === "changes_requested"
            ? "Changes were requested"
            : "Your review has a new verdict";
      url = `/reviews/${str(p.reviewId)}`;
      break;
    default:
      title = "New notification";
      body = "Open cohort-live to see it";
      url = "/notifications";
  }
  return fit({ notification, title: clip(title, TITLE_MAX), body: clip(body, BODY_MAX), url });
}

const bytes = (m: PushMessage) => new TextEncoder().encode(JSON.stringify(m)).length;

/**
 * Long titles and names in odd scripts (or many escaped characters) can push the JSON past what a push may carry:
 * then the texts get shorter, and at last the payload's long strings are cut (its ids stay, so a client can load
 * the whole notification from the inbox).
 */
function fit(message: PushMessage): PushMessage {
  if (bytes(message) <= PUSH_BODY_MAX_BYTES) return message;
  const shorter = { ...message, title: clip(message.title, 60), body: clip(message.body, 80) };
  if (bytes(shorter) <= PUSH_BODY_MAX_BYTES) return shorter;
  const cut = (v: unknown): unknown =>
    typeof v === "string"
      ? clip(v, 40)
      : v && typeof v === "object"
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x)]))
        : v;
  const payload = cut(message.notification.payload) as Record<string, unknown>;
  return { ...shorter, notification: { ...message.notification, payload } };
}
