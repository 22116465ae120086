import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from "typeorm";
import { User } from "./User.js";

/** One notification of one user. Written set-based by src/notifications/service.ts, never through `save`. */
@Entity({ name: "notifications" })
@Index("idx_notifications_user_cursor", ["userId", "createdAt", "id"])
@Index("idx_notifications_user_unread", ["userId", "createdAt", "id"], { where: "read_at IS NULL" })
@Index("idx_notifications_read_age", ["createdAt"], { where: "read_at IS NOT NULL" })
export class Notification {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "user_id", type: "uuid" })
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "notifications_user_id_fkey" })
  user: Relation<User>;

  /** One of the contract's NotificationType values. */
  @Column({ name: "type", type: "varchar", length: 32 })
  type: string;

  @Column({ name: "payload", type: "jsonb", default: {} })
  payload: Record<string, unknown>;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;

  @Column({ name: "read_at", type: "timestamptz", nullable: true })
  readAt: Date | null;
}
