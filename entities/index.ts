import { Announcement } from "./Announcement.js";
import { Cohort } from "./Cohort.js";
import { Membership } from "./Membership.js";
import { RefreshToken } from "./RefreshToken.js";
import { Notification } from "./Notification.js";
import { User } from "./User.js";

export { Cohort, Membership, RefreshToken, User, Notification, Announcement };
export type { CohortRole } from "./Membership.js";
export type { UserRole } from "./User.js";

/** Every entity, listed explicitly (ESM builds cannot use globs). Domains append theirs. */
export const entities = [User, RefreshToken, Cohort, Membership, Notification, Announcement];
