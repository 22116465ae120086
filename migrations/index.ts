import { AccountsAndCohorts1764140000000 } from "./1764140000000-AccountsAndCohorts.js";
import { NotificationsAndAnnouncements1764140100000 } from "./1764140100000-NotificationsAndAnnouncements.js";
import { LiveSessions1764140200000 } from "./1764140200000-LiveSessions.js";
import { PeerReviews1764140300000 } from "./1764140300000-PeerReviews.js";
import { DocumentHistory1764142000000 } from "./1764142000000-DocumentHistory.js";
import { PushDevices1764141300000 } from "./1764141300000-PushDevices.js";

/** Every migration in order, listed explicitly (ESM builds cannot use globs). Domains append theirs. */
export const migrations = [
  AccountsAndCohorts1764140000000,
  NotificationsAndAnnouncements1764140100000,
  LiveSessions1764140200000,
  PeerReviews1764140300000,
  PushDevices1764141300000,
  DocumentHistory1764142000000,
];
