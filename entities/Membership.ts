import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from "typeorm";
import { Cohort } from "./Cohort.js";
import { User } from "./User.js";

export type CohortRole = "learner" | "mentor";

@Entity({ name: "memberships" })
@Check("memberships_role_check", `role IN ('learner', 'mentor')`)
@Index("idx_memberships_user", ["userId"])
export class Membership {
  @PrimaryColumn({ name: "cohort_id", type: "uuid" })
  cohortId: string;

  @PrimaryColumn({ name: "user_id", type: "uuid" })
  userId: string;

  @ManyToOne(() => Cohort, { onDelete: "CASCADE" })
  @JoinColumn({ name: "cohort_id", foreignKeyConstraintName: "memberships_cohort_id_fkey" })
  cohort: Relation<Cohort>;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "user_id", foreignKeyConstraintName: "memberships_user_id_fkey" })
  user: Relation<User>;

  @Column({ type: "varchar", length: 16 })
  role: CohortRole;

  @CreateDateColumn({ name: "joined_at", type: "timestamptz" })
  joinedAt: Date;
}
