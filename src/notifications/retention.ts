import type { Core } from "../core.js";

export const RETENTION_QUEUE = "notifications-retention";
/** Daily, at a quiet hour (UTC); each node also asks for one run when it starts. */
const RETENTION_CRON = "17 3 * * *";
const BATCH = 1000;

/**
 * Deletes read notifications older than NOTIFICATIONS_RETENTION_DAYS (0 keeps them all), in batches of 1000 so
 * no transaction holds many rows (or, on PGlite, the one session) for long. Unread ones are never deleted.
 */
export function notificationRetention(core: Pick<Core, "db" | "jobs" | "logger" | "config">) {
  const days = core.config.notificationsRetentionDays;

  async function purge(): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = (await core.db.query(
        `WITH doomed AS (
           SELECT id FROM notifications
            WHERE read_at IS NOT NULL AND created_at < now() - make_interval(days => $1::int)
            LIMIT $2),
         deleted AS (DELETE FROM notifications WHERE id IN (SELECT id FROM doomed) RETURNING 1)
         SELECT count(*)::int AS n FROM deleted`,
        [days, BATCH],
      )) as { n: number }[];
      const n = Number(row?.n ?? 0);
      total += n;
      if (n < BATCH) return total;
      await new Promise((resolve) => setImmediate(resolve)); // let other work in between batches
    }
  }

  core.jobs.define<Record<string, never>>({
    queue: RETENTION_QUEUE,
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: true,
    expireInSeconds: 15 * 60,
    pollingIntervalSeconds: 10,
    async handle() {
      if (days === 0) return;
      const deleted = await purge();
      if (deleted > 0) core.logger.info({ deleted, days }, "old read notifications deleted");
    },
  });
  if (days > 0) core.jobs.schedule(RETENTION_QUEUE, RETENTION_CRON);

  return {
    /** Once per node start: a run soon, besides the daily one. */
    async start(): Promise<void> {
      if (days > 0) await core.jobs.enqueueNow(RETENTION_QUEUE, [{}]);
    },
  };
}
