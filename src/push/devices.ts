import type { DataSource } from "typeorm";
import { AppError } from "../errors.js";

import type { Device as DeviceDto, DeviceKind } from "../contract/index.js";

export type { DeviceDto, DeviceKind };

/** A device with what its sender needs; never sent to clients (the keys are the subscription's secrets). */
export interface StoredDevice extends DeviceDto {
  userId: string;
  address: string;
  keys: Record<string, string>;
}

export interface WebPushRegistration {
  kind: "webpush";
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  label?: string | null;
}

interface DeviceRow {
  id: string;
  user_id: string;
  kind: DeviceKind;
  address: string;
  keys: Record<string, string> | string;
  label: string | null;
  created_at: Date | string;
  inserted?: boolean;
}

const COLUMNS = "id, user_id, kind, address, keys, label, created_at";

const toStored = (r: DeviceRow): StoredDevice => ({
  id: r.id,
  kind: r.kind,
  label: r.label,
  createdAt: new Date(r.created_at).toISOString(),
  userId: r.user_id,
  address: r.address,
  keys: typeof r.keys === "string" ? (JSON.parse(r.keys) as Record<string, string>) : r.keys,
});

export const toDto = ({ id, kind, label, createdAt }: StoredDevice): DeviceDto => ({ id, kind, label, createdAt });

/** Loopback as the contract names it: 127.0.0.0/8, [::1], localhost. */
function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** A push service endpoint: https:, or http: to a loopback address outside production (local push services). */
export function checkEndpoint(endpoint: string, production: boolean): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new AppError("INVALID_PAYLOAD", "invalid body: subscription.endpoint must be a URL");
  }
  const ok = url.protocol === "https:" || (url.protocol === "http:" && !production && isLoopback(url.hostname));
  if (!ok || url.username || url.password) {
    throw new AppError(
      "INVALID_PAYLOAD",
      production
        ? "invalid body: subscription.endpoint must be an https: URL"
        : "invalid body: subscription.endpoint must be an https: URL (or http: to a loopback address)",
    );
  }
}

export function createDeviceStore(db: DataSource, opts: { production: boolean }) {
  return {
    /** Registers (or re-registers: the same endpoint moves to the caller, with the new keys and label). */
    async register(userId: string, input: WebPushRegistration): Promise<{ device: DeviceDto; created: boolean }> {
      checkEndpoint(input.subscription.endpoint, opts.production);
      const [row] = (await db.query(
        `INSERT INTO push_devices (user_id, kind, address, keys, label) VALUES ($1, $2, $3, $4::jsonb, $5)
         ON CONFLICT (kind, address) DO UPDATE SET user_id = EXCLUDED.user_id, keys = EXCLUDED.keys, label = EXCLUDED.label
         RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
        [userId, input.kind, input.subscription.endpoint, JSON.stringify(input.subscription.keys), input.label || null],
      )) as DeviceRow[];
      return { device: toDto(toStored(row!)), created: row!.inserted === true };
    },

    async list(userId: string): Promise<DeviceDto[]> {
      const rows = (await db.query(`SELECT ${COLUMNS} FROM push_devices WHERE user_id = $1 ORDER BY created_at, id`, [
        userId,
      ])) as DeviceRow[];
      return rows.map((r) => toDto(toStored(r)));
    },

    /** Deletes one of the caller's devices; someone else's or an unknown one is NOT_FOUND. */
    async remove(userId: string, id: string): Promise<void> {
      const deleted = (await db.query(`DELETE FROM push_devices WHERE id = $1 AND user_id = $2 RETURNING id`, [
        id,
        userId,
      ])) as unknown[];
      // DELETE … RETURNING through TypeORM yields [rows, count]
      const rows = Array.isArray(deleted[0]) ? (deleted[0] as unknown[]) : deleted;
      if (rows.length === 0) throw new AppError("NOT_FOUND", "device not found");
    },

    async get(id: string): Promise<StoredDevice | null> {
      const [row] = (await db.query(`SELECT ${COLUMNS} FROM push_devices WHERE id = $1`, [id])) as DeviceRow[];
      return row ? toStored(row) : null;
    },

    /** The push service says the subscription is gone (404/410): forget it, unless it was re-registered since. */
    async forget(id: string, address: string): Promise<void> {
      await db.query(`DELETE FROM push_devices WHERE id = $1 AND address = $2`, [id, address]);
    },
  };
}

export type DeviceStore = ReturnType<typeof createDeviceStore>;
