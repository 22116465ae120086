import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  type Relation,
} from "typeorm";
import { LiveSession } from "./LiveSession.js";
import { User } from "./User.js";

/** A chat message of a live session; (session, author, clientId) is unique so a retried send is stored once. */
@Entity({ name: "chat_messages" })
@Unique("uq_chat_messages_client", ["sessionId", "authorId", "clientId"])
@Index("idx_chat_messages_session_cursor", ["sessionId", "createdAt", "id"])
export class ChatMessage {
  @PrimaryGeneratedColumn("uuid")
  id: string;

  @Column({ name: "session_id", type: "uuid" })
  sessionId: string;

  @ManyToOne(() => LiveSession, { onDelete: "CASCADE" })
  @JoinColumn({ name: "session_id", foreignKeyConstraintName: "chat_messages_session_id_fkey" })
  session: Relation<LiveSession>;

  @Column({ name: "author_id", type: "uuid" })
  authorId: string;

  @ManyToOne(() => User, { onDelete: "CASCADE" })
  @JoinColumn({ name: "author_id", foreignKeyConstraintName: "chat_messages_author_id_fkey" })
  author: Relation<User>;

  @Column({ name: "client_id", type: "uuid" })
  clientId: string;

  @Column({ name: "body", type: "text" })
  body: string;

  @CreateDateColumn({ name: "created_at", type: "timestamptz" })
  createdAt: Date;
}
