import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from "typeorm";
import { User } from "./User.js";

@Entity({ name: "cohorts" })
export class Cohort {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ type: "varchar", length: 120 })
  name: string;

  @Column({ type: "varchar", length: 64, unique: true })
  slug: string;

  @Column({ name: "created_by", type: "uuid", nullable: true })
  createdBy: string | null;

  /** The cohort outlives its creator's account. */
  @ManyToOne(() => User, { onDelete: "SET NULL" })
  @JoinColumn({ name: "created_by", foreignKeyConstraintName: "cohorts_created_by_fkey" })
  creator: Relation<User> | null;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
