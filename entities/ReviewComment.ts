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
import { Review } from "./Review.js";
import { User } from "./User.js";

/** A comment on a review, optionally on a 1-based line, attached to the revision it was made on. */
@Entity({ name: "review_comments" })
@Check("review_comments_line_check", `line IS NULL OR line >= 1`)
@Index("idx_review_comments_review", ["reviewId", "createdAt", "id"])
export class ReviewComment {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "review_id", type: "uuid" })
  reviewId: string;

  @ManyToOne(() => Review, { onDelete: "CASCADE" })
  @JoinColumn({ name: "review_id", foreignKeyConstraintName: "review_comments_review_id_fkey" })
  review: Relation<Review>;

  @Column({ name: "author_id", type: "uuid" })
  authorId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "author_id", foreignKeyConstraintName: "review_comments_author_id_fkey" })
  author: Relation<User>;

  @Column({ name: "body", type: "text" })
  body: string;

  @Column({ name: "line", type: "integer", nullable: true })
  line: number | null;

  @Column({ name: "revision", type: "integer" })
  revision: number;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
