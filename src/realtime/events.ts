/**
 * The typed Socket.IO event map of the public contract, shared by server handlers, tests and clients
 * (`import type { ClientToServerEvents, ServerToClientEvents } from "cohort-live"`).
 */
import type { ErrorCode } from "../errors.js";

export type Ack<T extends object = object> = (response: AckResponse<T>) => void;
export type AckResponse<T extends object = object> = ({ ok: true } & T) | AckFailure;
export interface AckFailure {
  ok: false;
  error: { code: ErrorCode; message: string };
}

export interface UserRef {
  id: string;
  displayName: string;
}
export type CohortRoleName = "learner" | "mentor";
export interface PresenceUser {
  userId: string;
  displayName: string;
  role: CohortRoleName;
}
export type SessionStatus = "scheduled" | "live" | "ended";
export interface SessionDto {
  id: string;
  cohortId: string;
  hostId: string;
  title: string;
  language: string;
  status: SessionStatus;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}
export interface ChatMessageDto {
  id: string;
  sessionId: string;
  author: UserRef;
  body: string;
  createdAt: string;
}
export type ReviewStatus = "open" | "changes_requested" | "approved" | "closed";
export interface ReviewCommentDto {
  id: string;
  reviewId: string;
  author: UserRef;
  body: string;
  line: number | null;
  revision: number;
  createdAt: string;
}
export type NotificationType =
  "announcement" | "session_started" | "review_requested" | "review_revised" | "review_comment" | "review_verdict";
export interface NotificationDto {
  id: string;
  type: NotificationType;
  payload: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}
export type Binary = Uint8Array | ArrayBuffer | Buffer;

export interface ClientToServerEvents {
  "auth:refresh": (payload: { token: string }, ack?: Ack<{ exp: number }>) => void;
  "notifications:sync": (payload: { after?: string }, ack?: Ack<{ items: NotificationDto[]; nextCursor: string | null }>) => void;
  "session:join": (
    payload: { sessionId: string },
    ack?: Ack<{
      session: SessionDto;
      state: Uint8Array;
      presence: PresenceUser[];
      awareness: { userId: string; clientId: number | null; state: unknown }[];
      chat: ChatMessageDto[];
    }>,
  ) => void;
  "session:leave": (payload: { sessionId: string }, ack?: Ack) => void;
  "doc:update": (payload: { sessionId: string; update: Binary }, ack?: Ack) => void;
  "doc:sync": (
    payload: { sessionId: string; stateVector: Binary },
    ack?: Ack<{ update: Uint8Array; stateVector: Uint8Array }>,
  ) => void;
  "awareness:update": (payload: { sessionId: string; state: unknown; clientId?: number | null }, ack?: Ack) => void;
  "chat:send": (payload: { sessionId: string; body: string; clientId: string }, ack?: Ack<{ message: ChatMessageDto }>) => void;
  "chat:history": (
    payload: { sessionId: string; after?: string; limit?: number },
    ack?: Ack<{ messages: ChatMessageDto[] }>,
  ) => void;
  "review:subscribe": (payload: { reviewId: string }, ack?: Ack) => void;
  "review:unsubscribe": (payload: { reviewId: string }, ack?: Ack) => void;
}

export interface ServerToClientEvents {
  "auth:expired": (payload: { exp: number }) => void;
  "server:draining": (payload: { reconnect: true }) => void;
  notification: (payload: NotificationDto) => void;
  "notification:read": (payload: { ids: string[] } | { upTo: string }) => void;
  "session:status": (payload: { sessionId: string; status: SessionStatus }) => void;
  "presence:joined": (payload: { sessionId: string; user: PresenceUser }) => void;
  "presence:left": (payload: { sessionId: string; userId: string }) => void;
  "doc:update": (payload: { sessionId: string; update: Uint8Array; userId: string }) => void;
  "awareness:update": (payload: { sessionId: string; userId: string; clientId: number | null; state: unknown }) => void;
  "chat:message": (payload: { sessionId: string; message: ChatMessageDto }) => void;
  "review:comment": (payload: { reviewId: string; comment: ReviewCommentDto }) => void;
  "review:status": (payload: { reviewId: string; status: ReviewStatus }) => void;
}

export type InterServerEvents = Record<string, never>;

/** What the server keeps on each socket. */
export interface SocketData {
  userId: string;
  /** Access-token expiry (seconds since epoch). */
  exp: number;
}

export type ClientEventName = keyof ClientToServerEvents;
export type EventPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];
export type EventAckBody<E extends ClientEventName> =
  NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends Ack<infer T> ? T : never;
