import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from "typeorm";
import { Cohort } from "./Cohort.js";
import { User } from "./User.js";

/** A mentor's message to a whole cohort; each member gets an `announcement` notification. */
@Entity({ name: "announcements" })
@Index("idx_announcements_cohort_cursor", ["cohortId", "createdAt", "id"])
export class Announcement {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "cohort_id", type: "uuid" })
  cohortId: string;

  @ManyToOne(() => Cohort, { onDelete: "CASCADE" })
  @JoinColumn({ name: "cohort_id", foreignKeyConstraintName: "announcements_cohort_id_fkey" })
  cohort: Relation<Cohort>;

  @Column({ name: "author_id", type: "uuid" })
  authorId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "author_id", foreignKeyConstraintName: "announcements_author_id_fkey" })
  author: Relation<User>;

  @Column({ name: "title", type: "varchar", length: 200 })
  title: string;

  @Column({ name: "body", type: "text" })
  body: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
