import webpush from "web-push";
import type { DataSource } from "typeorm";
import type { Config } from "../config/config.js";

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

const KEY_NAME = "vapid";

/**
 * The VAPID key pair every node signs with: the environment's, or one generated once and kept in `server_keys`.
 * Two nodes generating at once both insert with ON CONFLICT DO NOTHING and then read the one that won.
 */
export function vapidKeys(db: DataSource, config: Config["push"]): () => Promise<VapidKeys> {
  let loading: Promise<VapidKeys> | null = null;
  const load = async (): Promise<VapidKeys> => {
    if (config.vapid) return { ...config.vapid, subject: config.subject };
    const fresh = webpush.generateVAPIDKeys();
    await db.query(`INSERT INTO server_keys (name, value) VALUES ($1, $2::jsonb) ON CONFLICT (name) DO NOTHING`, [
      KEY_NAME,
      JSON.stringify(fresh),
    ]);
    const [row] = (await db.query(`SELECT value FROM server_keys WHERE name = $1`, [KEY_NAME])) as {
      value: { publicKey: string; privateKey: string };
    }[];
    if (!row) throw new Error("VAPID keys missing after insert");
    return { publicKey: row.value.publicKey, privateKey: row.value.privateKey, subject: config.subject };
  };
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = null; // a database hiccup must not stick
      throw err;
    });
    return loading;
  };
}
