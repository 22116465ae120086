import type { MigrationInterface, QueryRunner } from "typeorm";

/** Web Push (issue 13): registered devices, the server's generated keys, and the index retention deletes by. */
export class PushDevices1764141300000 implements MigrationInterface {
  name = "PushDevices1764141300000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE push_devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind varchar(16) NOT NULL,
        -- where the transport delivers: the push service endpoint (webpush), a registration token (fcm, apns)
        address text NOT NULL,
        -- what the transport needs besides the address (webpush: {p256dh, auth})
        keys jsonb NOT NULL DEFAULT '{}'::jsonb,
        label varchar(80),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // one device per address: registering it again moves it to the caller
    await q.query(`CREATE UNIQUE INDEX idx_push_devices_address ON push_devices (kind, address)`);
    await q.query(`CREATE INDEX idx_push_devices_user ON push_devices (user_id, created_at, id)`);
    // values the server makes once and every node shares (the VAPID key pair when the environment has none)
    await q.query(`
      CREATE TABLE server_keys (
        name varchar(64) PRIMARY KEY,
        value jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // the retention job deletes read notifications by age, in batches
    await q.query(`CREATE INDEX idx_notifications_read_age ON notifications (created_at) WHERE read_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_notifications_read_age`);
    await q.query(`DROP TABLE server_keys`);
    await q.query(`DROP TABLE push_devices`);
  }
}
