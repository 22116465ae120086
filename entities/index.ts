import { Announcement } from "./Announcement.js";
import { ChatMessage } from "./ChatMessage.js";
import { Cohort } from "./Cohort.js";
import { DocSnapshot } from "./DocSnapshot.js";
import { DocUpdate } from "./DocUpdate.js";
import { LiveSession } from "./LiveSession.js";
import { Membership } from "./Membership.js";
import { RefreshToken } from "./RefreshToken.js";
import { Review } from "./Review.js";
import { ReviewAssignment } from "./ReviewAssignment.js";
import { ReviewComment } from "./ReviewComment.js";
import { Notification } from "./Notification.js";
import { PushDevice } from "./PushDevice.js";
import { ServerKey } from "./ServerKey.js";
import { User } from "./User.js";

export { Cohort, Membership, RefreshToken, User, Notification, Announcement, Review, ReviewAssignment, ReviewComment };
export { LiveSession, DocUpdate, DocSnapshot, ChatMessage };
export { PushDevice, ServerKey };
export type { LiveSessionStatus } from "./LiveSession.js";
export type { CohortRole } from "./Membership.js";
export type { UserRole } from "./User.js";
export type { ReviewStatus } from "./Review.js";
export type { ReviewVerdict } from "./ReviewAssignment.js";

/** Every entity, listed explicitly (ESM builds cannot use globs). Domains append theirs. */
export const entities = [
  User,
  RefreshToken,
  Cohort,
  Membership,
  Notification,
  Announcement,
  Review,
  ReviewAssignment,
  ReviewComment,
  LiveSession,
  DocUpdate,
  DocSnapshot,
  ChatMessage,
  PushDevice,
  ServerKey,
];
