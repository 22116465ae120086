import { Column, CreateDateColumn, Entity, PrimaryColumn } from "typeorm";

/** A value the server generates once and every node shares (e.g. the VAPID key pair). */
@Entity({ name: "server_keys" })
export class ServerKey {
  @PrimaryColumn({ name: "name", type: "varchar", length: 64 })
  name: string;

  @Column({ name: "value", type: "jsonb" })
  value: Record<string, unknown>;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
