import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from "typeorm";

export type UserRole = "learner" | "mentor" | "admin";

@Entity({ name: "users" })
@Check("users_role_check", `role IN ('learner', 'mentor', 'admin')`)
@Check("ck_users_email_lower", `email = lower(email)`)
export class User {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  /** Always stored lower-cased; unique. */
  @Column({ type: "varchar", length: 320, unique: true })
  email: string;

  @Column({ name: "password_hash", type: "varchar", length: 255, select: false })
  passwordHash: string;

  @Column({ name: "display_name", type: "varchar", length: 80 })
  displayName: string;

  @Column({ type: "varchar", length: 16, default: "learner" })
  role: UserRole;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
