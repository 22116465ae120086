import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from "typeorm";
import { Review } from "./Review.js";
import { User } from "./User.js";

export type ReviewVerdict = "approve" | "request_changes";

/**
 * A reviewer assigned to a review. The assignment is `open` until the reviewer gives a verdict or the
 * review is approved or closed; a revision reopens it (and clears the verdict).
 */
@Entity({ name: "review_assignments" })
@Check("review_assignments_verdict_check", `verdict IN ('approve', 'request_changes')`)
@Index("idx_review_assignments_open", ["reviewerId"], { where: "open" })
export class ReviewAssignment {
  @PrimaryColumn({ name: "review_id", type: "uuid" })
  reviewId: string;

  @PrimaryColumn({ name: "reviewer_id", type: "uuid" })
  reviewerId: string;

  @ManyToOne(() => Review, { onDelete: "CASCADE" })
  @JoinColumn({ name: "review_id", foreignKeyConstraintName: "review_assignments_review_id_fkey" })
  review: Relation<Review>;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "reviewer_id", foreignKeyConstraintName: "review_assignments_reviewer_id_fkey" })
  reviewer: Relation<User>;

  @Column({ name: "verdict", type: "varchar", length: 24, nullable: true })
  verdict: ReviewVerdict | null;

  @Column({ name: "open", type: "boolean", default: true })
  open: boolean;

  @Column({ name: "assigned_at", type: "timestamptz", default: () => "now()" })
  assignedAt: Date;

  @Column({ name: "verdict_at", type: "timestamptz", nullable: true })
  verdictAt: Date | null;
}
