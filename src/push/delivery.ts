import { Counter } from "prom-client";
import type { EntityManager } from "typeorm";
import type { Core } from "../core.js";
import type { StoredNotification } from "../notifications/index.js";
import type { Notification as NotificationDto } from "../contract/index.js";
import type { DeviceKind, DeviceStore } from "./devices.js";
import { pushMessage } from "./message.js";
import type { OnlineUsers } from "./online.js";
import type { PushSender } from "./senders.js";

export const PUSH_QUEUE = "push-send";

/** One push: one notification to one device. `userId` is the recipient when the job was made. */
export interface PushJob {
  notificationId: string;
  deviceId: string;
  userId: string;
}

/**
 * Pushes as jobs: `enqueue` runs inside the transaction that writes the notifications (one job per device of each
 * recipient), and each job, on whatever node takes it, sends only while none of the user's sockets is connected.
 * Retries: 4 after the first try, waits doubling from PUSH_RETRY_DELAY_SECONDS (default 25 s, with pg-boss's
 * jitter: the second try 25–50 s after the first, the third 75–150 s after it).
 */
export function pushDelivery(
  core: Pick<Core, "db" | "jobs" | "logger" | "metrics" | "config">,
  deps: { devices: DeviceStore; online: OnlineUsers; senders: PushSender[] },
) {
  const { db, jobs, logger } = core;
  const senders = new Map<DeviceKind, PushSender>(deps.senders.map((s) => [s.kind, s]));
  const pushTotal = new Counter({
    name: "cohort_live_push_total",
    help: "Push attempts by outcome (sent, gone, retry, rejected) and pushes skipped (online, read, stale)",
    labelNames: ["outcome"] as const,
    registers: [core.metrics.registry],
  });

  async function loadNotification(id: string, userId: string): Promise<NotificationDto | null> {
    const [row] = (await db.query(
      `SELECT id, type, payload, created_at, read_at FROM notifications WHERE id = $1 AND user_id = $2`,
      [id, userId],
    )) as {
      id: string;
      type: NotificationDto["type"];
      payload: Record<string, unknown> | string;
      created_at: Date | string;
      read_at: Date | string | null;
    }[];
    if (!row) return null;
    const payload = typeof row.payload === "string" ? (JSON.parse(row.payload) as Record<string, unknown>) : row.payload;
    const readAt = row.read_at ? new Date(row.read_at).toISOString() : null;
    return { id: row.id, type: row.type, payload, createdAt: new Date(row.created_at).toISOString(), readAt };
  }

  async function send(job: PushJob): Promise<void> {
    const device = await deps.devices.get(job.deviceId);
    // the device was removed, or its endpoint was registered again by someone else: not theirs to see
    if (!device || device.userId !== job.userId) return void pushTotal.inc({ outcome: "stale" });
    const notification = await loadNotification(job.notificationId, job.userId);
    if (!notification) return void pushTotal.inc({ outcome: "stale" });
    if (notification.readAt) return void pushTotal.inc({ outcome: "read" });
    if (await deps.online.isOnline(job.userId)) return void pushTotal.inc({ outcome: "online" });
    const sender = senders.get(device.kind);
    if (!sender) return void pushTotal.inc({ outcome: "rejected" });
    const result = await sender.send(device, pushMessage(notification));
    pushTotal.inc({ outcome: result.outcome });
    if (result.outcome === "gone") {
      await deps.devices.forget(device.id, device.address);
      logger.info({ deviceId: device.id, status: result.status }, "push subscription gone: device removed");
    } else if (result.outcome === "rejected") {
      logger.warn({ deviceId: device.id, status: result.status }, "push rejected by the push service");
    } else if (result.outcome === "retry") {
      throw new Error(result.reason); // the job queue tries again with back-off
    }
  }

  jobs.define<PushJob>({
    queue: PUSH_QUEUE,
    retryLimit: 4,
    retryDelaySeconds: core.config.push.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: 30,
    batchSize: 8,
    handle: send,
  });

  return {
    /** Inside the notifications' transaction: a push job per device of each recipient. */
    async enqueue(manager: EntityManager, rows: StoredNotification[]): Promise<void> {
      if (rows.length === 0) return;
      const userIds = [...new Set(rows.map((r) => r.userId))];
      const devices = (await manager.query(`SELECT id, user_id FROM push_devices WHERE user_id = ANY($1::uuid[])`, [
        userIds,
      ])) as {
        id: string;
        user_id: string;
      }[];
      if (devices.length === 0) return;
      const byUser = new Map<string, string[]>();
      for (const d of devices) byUser.set(d.user_id, [...(byUser.get(d.user_id) ?? []), d.id]);
      const items: PushJob[] = rows.flatMap((r) =>
        (byUser.get(r.userId) ?? []).map((deviceId) => ({ notificationId: r.notification.id, deviceId, userId: r.userId })),
      );
      await jobs.enqueue(manager, PUSH_QUEUE, items);
    },
    /** After the commit: this node's worker looks at once instead of at its next poll. */
    committed(): void {
      jobs.wake(PUSH_QUEUE);
    },
  };
}
