import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from "typeorm";
import { Cohort } from "./Cohort.js";
import { User } from "./User.js";

export type LiveSessionStatus = "scheduled" | "live" | "ended";

/** A live coding session of a cohort: scheduled → live → ended. Its document lives in doc_snapshots + doc_updates. */
@Entity({ name: "live_sessions" })
@Check("live_sessions_status_check", `status IN ('scheduled', 'live', 'ended')`)
@Index("idx_live_sessions_cohort_cursor", ["cohortId", "createdAt", "id"])
export class LiveSession {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "cohort_id", type: "uuid" })
  cohortId: string;

  @ManyToOne(() => Cohort, { onDelete: "CASCADE" })
  @JoinColumn({ name: "cohort_id", foreignKeyConstraintName: "live_sessions_cohort_id_fkey" })
  cohort: Relation<Cohort>;

  @Column({ name: "host_id", type: "uuid" })
  hostId: string;

  @ManyToOne(() => User)
  @JoinColumn({ name: "host_id", foreignKeyConstraintName: "live_sessions_host_id_fkey" })
  host: Relation<User>;

  @Column({ name: "title", type: "varchar", length: 200 })
  title: string;

  @Column({ name: "language", type: "varchar", length: 40 })
  language: string;

  @Column({ name: "status", type: "varchar", length: 16, default: "scheduled" })
  status: LiveSessionStatus;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;

  @Column({ name: "started_at", type: "timestamptz", nullable: true })
  startedAt: Date | null;

  @Column({ name: "ended_at", type: "timestamptz", nullable: true })
  endedAt: Date | null;
}
