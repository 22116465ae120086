import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from "typeorm";
import { User } from "./User.js";

/** A device a user registered for pushes. Written by src/push/devices.ts with SQL. */
@Entity({ name: "push_devices" })
@Index("idx_push_devices_address", ["kind", "address"], { unique: true })
@Index("idx_push_devices_user", ["userId", "createdAt", "id"])
export class PushDevice {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "user_id", type: "uuid" })
  userId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "push_devices_user_id_fkey" })
  user: Relation<User>;

  /** The transport: "webpush" today; "fcm" and "apns" are reserved for native apps. */
  @Column({ name: "kind", type: "varchar", length: 16 })
  kind: string;

  /** The push service endpoint (webpush) or the registration token (fcm, apns). */
  @Column({ name: "address", type: "text" })
  address: string;

  @Column({ name: "keys", type: "jsonb", default: {} })
  keys: Record<string, string>;

  @Column({ name: "label", type: "varchar", length: 80, nullable: true })
  label: string | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
