import type { MigrationInterface, QueryRunner } from "typeorm";

export class NotificationsAndAnnouncements1764140100000 implements MigrationInterface {
  name = "NotificationsAndAnnouncements1764140100000";

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        type varchar(32) NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz
      )`);
    // a user's notifications after a cursor, oldest first
    await q.query(`CREATE INDEX idx_notifications_user_cursor ON notifications (user_id, created_at, id)`);
    // a user's unread ones (count, sync without a cursor, mark-read)
    await q.query(`CREATE INDEX idx_notifications_user_unread ON notifications (user_id, created_at, id) WHERE read_at IS NULL`);
    await q.query(`
      CREATE TABLE announcements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cohort_id uuid NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
        author_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        title varchar(200) NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX idx_announcements_cohort_cursor ON announcements (cohort_id, created_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE announcements`);
    await q.query(`DROP TABLE notifications`);
  }
}
