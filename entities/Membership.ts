import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from "typeorm";
import { Cohort } from "./Cohort.js";
import { User } from "./User.js";

export type CohortRole = "learner" | "mentor";

@Entity({ name: "memberships" })
@Index("idx_memberships_user", ["userId"])
export class Membership {
  @PrimaryColumn({ name: "cohort_id", type: "uuid" })
  cohortId: string;

  @PrimaryColumn({ name: "user_id", type: "uuid" })
  userId: string;

  @ManyToOne(() => Cohort, { onDelete: "CASCADE" })
  @JoinColumn({ name: "cohort_id" })
  cohort: Relation<Cohort>;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id" })
  user: Relation<User>;

  @Column({ type: "varchar", length: 16 })
  role: CohortRole;

  @CreateDateColumn({ name: "joined_at", type: "timestamptz" })
  joinedAt: Date;
}
