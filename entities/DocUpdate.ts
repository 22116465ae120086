import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from "typeorm";
import { LiveSession } from "./LiveSession.js";
import { User } from "./User.js";

/**
 * Append-only log of a session's Yjs updates, each exactly as acknowledged, with its author: the session's
 * history, kept forever. Compaction folds rows into the session's DocSnapshot and marks them `compacted` in the
 * same transaction (it never deletes them). Written set-based, never through `save`.
 */
@Entity({ name: "doc_updates" })
@Index("idx_doc_updates_session", ["sessionId", "id"])
@Index("idx_doc_updates_unfolded", ["sessionId", "id"], { where: "NOT compacted" })
export class DocUpdate {
  /** bigserial, as a string (int8). */
  @PrimaryGeneratedColumn({ name: "id", type: "bigint" })
  id: string;

  @Column({ name: "session_id", type: "uuid" })
  sessionId: string;

  @ManyToOne(() => LiveSession, { onDelete: "CASCADE" })
  @JoinColumn({ name: "session_id", foreignKeyConstraintName: "doc_updates_session_id_fkey" })
  session: Relation<LiveSession>;

  /** The author; null for rows from before history was kept, or when the user was deleted. */
  @Column({ name: "user_id", type: "uuid", nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: "SET NULL", nullable: true })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "doc_updates_user_id_fkey" })
  user: Relation<User> | null;

  /** Folded into the snapshot (a load skips it); still part of the history. */
  @Column({ name: "compacted", type: "boolean", default: false })
  compacted: boolean;

  @Column({ name: "update", type: "bytea" })
  update: Buffer;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
