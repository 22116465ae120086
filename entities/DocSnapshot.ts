import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from "typeorm";
import { LiveSession } from "./LiveSession.js";

/** A session's checkpoint: one Yjs update holding every log row marked `compacted` so far. */
@Entity({ name: "doc_snapshots" })
export class DocSnapshot {
  @PrimaryColumn({ name: "session_id", type: "uuid" })
  sessionId: string;

  @OneToOne(() => LiveSession, { onDelete: "CASCADE" })
  @JoinColumn({ name: "session_id", foreignKeyConstraintName: "doc_snapshots_session_id_fkey" })
  session: Relation<LiveSession>;

  @Column({ name: "state", type: "bytea" })
  state: Buffer;

  /** The highest doc_updates id folded into `state` (0: none). */
  @Column({ name: "up_to_id", type: "bigint", default: 0 })
  upToId: string;

  /** Bumped by each compaction (optimistic check: a compaction commits only over the version it read). */
  @Column({ name: "version", type: "integer", default: 0 })
  version: number;

  /** Set while a compaction runs (its claim: one runner per session across the cluster); expires by itself. */
  @Column({ name: "compacting_until", type: "timestamptz", nullable: true })
  compactingUntil: Date | null;

  @Column({ name: "updated_at", type: "timestamptz", default: () => "now()" })
  updatedAt: Date;
}
