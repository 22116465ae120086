/**
 * The one place the client takes the server's wire types from (type-only: nothing of the server is imported at
 * run time). Binary values arrive as ArrayBuffer in browsers and as Buffer in Node: `Received<T>` says so.
 */
import type {
  ChatMessageDto,
  ClientToServerEvents,
  EventAckBody,
  EventPayload,
  NotificationDto,
  PresenceUser,
  ReviewCommentDto,
  ServerToClientEvents,
  SessionDto,
  SessionStatus,
  UserRef,
} from "../realtime/events.js";
import type { ErrorCode } from "../errors.js";

export type {
  ChatMessageDto as ChatMessage,
  ClientToServerEvents,
  ErrorCode,
  NotificationDto as Notification,
  PresenceUser,
  ReviewCommentDto as ReviewComment,
  ServerToClientEvents,
  SessionDto as Session,
  SessionStatus,
  UserRef,
};

/** Binary data as it may arrive: a Uint8Array (a Node Buffer is one) or an ArrayBuffer (browsers). */
export type WireBinary = Uint8Array | ArrayBuffer;

/** `T` as it arrives over the wire: every Uint8Array may be an ArrayBuffer instead. */
export type Received<T> = T extends Uint8Array
  ? WireBinary
  : T extends (infer U)[]
    ? Received<U>[]
    : T extends object
      ? { [K in keyof T]: Received<T[K]> }
      : T;

export type ClientEvent = keyof ClientToServerEvents;
export type ServerEvent = keyof ServerToClientEvents;
export type ClientPayload<E extends ClientEvent> = EventPayload<E>;
/** The body of a successful ack of `E`, as received. */
export type AckBody<E extends ClientEvent> = Received<EventAckBody<E>>;
/** The payload of server event `E`, as received. */
export type ServerPayload<E extends ServerEvent> = Received<Parameters<ServerToClientEvents[E]>[0]>;

export type UserRole = "learner" | "mentor" | "admin";
/** The logged-in user, as `GET /api/me` returns it. */
export interface User {
  id: string;
  email: string;
  displayName: string;
  role: UserRole;
  createdAt: string;
}

export interface AuthResult {
  user: User;
  accessToken: string;
  refreshToken: string;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
