import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from "typeorm";
import { LiveSession } from "./LiveSession.js";

/**
 * Append-only log of a session's Yjs updates, each exactly as acknowledged. Compaction folds rows into
 * the session's DocSnapshot and deletes them in the same transaction. Written set-based, never through `save`.
 */
@Entity({ name: "doc_updates" })
@Index("idx_doc_updates_session", ["sessionId", "id"])
export class DocUpdate {
  /** bigserial, as a string (int8). */
  @PrimaryGeneratedColumn({ name: "id", type: "bigint" })
  id: string;

  @Column({ name: "session_id", type: "uuid" })
  sessionId: string;

  @ManyToOne(() => LiveSession, { onDelete: "CASCADE" })
  @JoinColumn({ name: "session_id", foreignKeyConstraintName: "doc_updates_session_id_fkey" })
  session: Relation<LiveSession>;

  @Column({ name: "update", type: "bytea" })
  update: Buffer;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
