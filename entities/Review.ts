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

export type ReviewStatus = "open" | "changes_requested" | "approved" | "closed";

/** A learner's code submitted for peer review within a cohort. `revision` counts the author's resubmissions. */
@Entity({ name: "reviews" })
@Check("reviews_revision_check", `revision >= 1`)
@Check("reviews_status_check", `status IN ('open', 'changes_requested', 'approved', 'closed')`)
@Index("idx_reviews_cohort_status", ["cohortId", "status", "createdAt", "id"])
@Index("idx_reviews_cohort_created", ["cohortId", "createdAt", "id"])
export class Review {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "cohort_id", type: "uuid" })
  cohortId: string;

  @ManyToOne(() => Cohort, { onDelete: "CASCADE" })
  @JoinColumn({ name: "cohort_id", foreignKeyConstraintName: "reviews_cohort_id_fkey" })
  cohort: Relation<Cohort>;

  @Column({ name: "author_id", type: "uuid" })
  authorId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "author_id", foreignKeyConstraintName: "reviews_author_id_fkey" })
  author: Relation<User>;

  @Column({ name: "title", type: "varchar", length: 200 })
  title: string;

  @Column({ name: "description", type: "text", nullable: true })
  description: string | null;

  @Column({ name: "language", type: "varchar", length: 40 })
  language: string;

  @Column({ name: "code", type: "text" })
  code: string;

  @Column({ name: "revision", type: "integer", default: 1 })
  revision: number;

  @Column({ name: "status", type: "varchar", length: 24, default: "open" })
  status: ReviewStatus;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;

  @Column({ name: "updated_at", type: "timestamptz", default: () => "now()" })
  updatedAt: Date;
}
