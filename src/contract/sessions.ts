import { z } from "zod";
import { clientEvents, route, serverEvents } from "./define.js";
import {
  binary,
  binaryOut,
  boundedBytes,
  Empty,
  IdParams,
  isoTime,
  limitParam,
  nextCursor,
  text,
  tooLargeIssue,
  utf8Length,
  uuid,
} from "./primitives.js";
import { CohortRole } from "./cohorts.js";
import { Author } from "./users.js";

/** Largest accepted `doc:update` and `initialCode` (256 KB). */
export const MAX_UPDATE_BYTES = 256 * 1024;
/** Largest awareness state, as JSON (1 KB). */
export const MAX_AWARENESS_BYTES = 1024;
/** The name of the session document's shared text (`doc.getText("code")`). */
export const TEXT_NAME = "code";

export const SessionStatus = z.enum(["scheduled", "live", "ended"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const Session = z
  .object({
    id: uuid,
    cohortId: uuid,
    hostId: uuid,
    title: z.string(),
    language: z.string(),
    status: SessionStatus,
    createdAt: isoTime,
    startedAt: isoTime.nullable(),
    endedAt: isoTime.nullable(),
  })
  .meta({ id: "Session" });
export type Session = z.infer<typeof Session>;

export const ChatMessage = z
  .object({ id: uuid, sessionId: uuid, author: Author, body: z.string(), createdAt: isoTime })
  .meta({ id: "ChatMessage" });
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A participant as presence shows them, with their cohort role. */
export const PresenceUser = z.object({ userId: uuid, displayName: z.string(), role: CohortRole }).meta({ id: "PresenceUser" });
export type PresenceUser = z.infer<typeof PresenceUser>;

/** A Yjs/Awareness clientID (uint32), or null when the sender gave none. */
const AwarenessClientId = z.number().int().min(0).max(4294967295);

/** Any JSON value of at most 1 KB (cursor, selection, name, colour …). */
const AwarenessState = z
  .unknown()
  .superRefine((v, ctx) => {
    if (v === undefined) {
      ctx.addIssue({ code: "custom", message: "is required" });
      return;
    }
    let json: string | undefined;
    try {
      json = JSON.stringify(v);
    } catch {
      json = undefined;
    }
    if (json === undefined) ctx.addIssue({ code: "custom", message: "must be JSON" });
    else if (utf8Length(json) > MAX_AWARENESS_BYTES)
      ctx.addIssue(tooLargeIssue(`must be at most ${MAX_AWARENESS_BYTES} bytes of JSON`));
  })
  .meta({ description: `any JSON value, at most ${MAX_AWARENESS_BYTES} bytes` });

export const AwarenessEntry = z
  .object({ userId: uuid, clientId: AwarenessClientId.nullable(), state: z.unknown() })
  .meta({ id: "AwarenessEntry" });
export type AwarenessEntry = z.infer<typeof AwarenessEntry>;

export const CreateSessionBody = z.object({
  title: text(1, 200),
  language: text(1, 40),
  initialCode: boundedBytes(z.string(), MAX_UPDATE_BYTES).optional(),
});
export const ChatQuery = z.object({ after: uuid.optional(), limit: limitParam(200) });
/** `at`: an ISO-8601 time (a date alone is its midnight UTC), read to the millisecond. */
export const DocumentQuery = z.object({ at: z.union([isoTime, z.iso.date()]).optional() });
/** `after`: an opaque cursor the server issued (an item's `id`); anything else is 400. */
export const HistoryQuery = z.object({ after: z.string().max(64).optional(), limit: limitParam(500) });

export const HistoryItem = z
  .object({
    id: z.string().meta({ description: "opaque cursor of this item" }),
    userId: uuid.nullable().meta({ description: "the author; null for updates from before history was kept" }),
    createdAt: isoTime,
    update: z.string().meta({ description: "the Yjs update, base64" }),
  })
  .meta({ id: "HistoryItem" });
export type HistoryItem = z.infer<typeof HistoryItem>;

export const DocumentAuthor = z
  .object({ user: Author, updates: z.number().int(), lastAt: isoTime })
  .meta({ id: "DocumentAuthor" });
export type DocumentAuthor = z.infer<typeof DocumentAuthor>;
const SessionBody = z.object({ session: Session });

const TAG = "Live sessions";
export const sessionRoutes = {
  createSession: route({
    method: "post",
    path: "/api/cohorts/:id/sessions",
    tag: TAG,
    summary: "Schedule a live session (cohort mentors); `initialCode` becomes the document's first update",
    auth: true,
    params: IdParams,
    body: CreateSessionBody,
    status: 201,
    response: SessionBody,
    errors: ["FORBIDDEN", "NOT_FOUND", "PAYLOAD_TOO_LARGE"],
  }),
  listSessions: route({
    method: "get",
    path: "/api/cohorts/:id/sessions",
    tag: TAG,
    summary: "A cohort's sessions, oldest first",
    auth: true,
    params: IdParams,
    status: 200,
    response: z.object({ sessions: z.array(Session) }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  getSession: route({
    method: "get",
    path: "/api/sessions/:id",
    tag: TAG,
    summary: "A session (cohort members)",
    auth: true,
    params: IdParams,
    status: 200,
    response: SessionBody,
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  startSession: route({
    method: "post",
    path: "/api/sessions/:id/start",
    tag: TAG,
    summary: "scheduled → live (host or cohort mentor); members get a session_started notification",
    auth: true,
    params: IdParams,
    status: 200,
    response: SessionBody,
    errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT"],
  }),
  endSession: route({
    method: "post",
    path: "/api/sessions/:id/end",
    tag: TAG,
    summary: "scheduled | live → ended (host or cohort mentor)",
    auth: true,
    params: IdParams,
    status: 200,
    response: SessionBody,
    errors: ["FORBIDDEN", "NOT_FOUND", "CONFLICT"],
  }),
  getDocument: route({
    method: "get",
    path: "/api/sessions/:id/document",
    tag: TAG,
    summary:
      "The document's `code` text with every acknowledged update applied; with `at`, as it was with the updates written at or before that time",
    auth: true,
    params: IdParams,
    query: DocumentQuery,
    status: 200,
    response: z.object({ text: z.string(), updatedAt: isoTime.nullable() }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  getHistory: route({
    method: "get",
    path: "/api/sessions/:id/history",
    tag: TAG,
    summary:
      "Every acknowledged document update with its author, in commit order, oldest first (compaction never changes it); applied in order to an empty Y.Doc they give the document",
    auth: true,
    params: IdParams,
    query: HistoryQuery,
    status: 200,
    response: z.object({ updates: z.array(HistoryItem), nextCursor: z.string().nullable() }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  getAuthors: route({
    method: "get",
    path: "/api/sessions/:id/authors",
    tag: TAG,
    summary: "Who edited the document: each author's number of updates and the time of the last one",
    auth: true,
    params: IdParams,
    status: 200,
    response: z.object({ authors: z.array(DocumentAuthor) }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
  getChat: route({
    method: "get",
    path: "/api/sessions/:id/chat",
    tag: TAG,
    summary: "Chat messages after a cursor, oldest first",
    auth: true,
    params: IdParams,
    query: ChatQuery,
    status: 200,
    response: z.object({ messages: z.array(ChatMessage), nextCursor }),
    errors: ["FORBIDDEN", "NOT_FOUND"],
  }),
};

const SessionRef = z.object({ sessionId: uuid });

export const sessionEvents = clientEvents({
  "session:join": {
    summary: "Join a session's room (any status): the whole document, presence, awareness and the newest 50 messages",
    payload: SessionRef,
    ack: z.object({
      session: Session,
      state: binaryOut.meta({ description: "a Yjs update holding the whole document" }),
      presence: z.array(PresenceUser),
      awareness: z.array(AwarenessEntry),
      chat: z.array(ChatMessage),
    }),
  },
  "session:leave": { summary: "Leave a session's room", payload: SessionRef, ack: Empty },
  "doc:update": {
    summary: "A Yjs update of the document (live sessions); acknowledged once durably stored, then relayed to the others",
    payload: z.object({ sessionId: uuid, update: binary(MAX_UPDATE_BYTES) }),
    ack: Empty,
  },
  "doc:sync": {
    summary: "Catch up: what the client lacks for its state vector, and the server's state vector",
    payload: z.object({ sessionId: uuid, stateVector: binary() }),
    ack: z.object({ update: binaryOut, stateVector: binaryOut }),
  },
  "awareness:update": {
    summary: "This connection's ephemeral state (cursor, selection …), relayed to the others",
    payload: z.object({ sessionId: uuid, state: AwarenessState, clientId: AwarenessClientId.optional() }),
    ack: Empty,
  },
  "chat:send": {
    summary: "Send a chat message; resending the same clientId returns the original, stored and broadcast once",
    payload: z.object({ sessionId: uuid, body: text(1, 2000), clientId: uuid }),
    ack: z.object({ message: ChatMessage }),
  },
  "chat:history": {
    summary: "Chat messages after a cursor, oldest first (as the REST route)",
    payload: z.object({
      sessionId: uuid,
      after: uuid.optional(),
      // over a socket `limit` is a number (or a numeric string, as in the REST query); never a boolean or an array
      limit: z
        .union([z.number(), z.string()])
        .pipe(z.coerce.number<number | string>().int().min(1).max(200))
        .optional()
        .default(50),
    }),
    ack: z.object({ messages: z.array(ChatMessage), nextCursor }),
  },
});

export const sessionServerEvents = serverEvents({
  "session:status": {
    summary: "The session started or ended",
    payload: z.object({ sessionId: uuid, status: SessionStatus }),
  },
  "presence:joined": {
    summary: "A user's first socket joined the session (never sent to that user's own sockets)",
    payload: z.object({ sessionId: uuid, user: PresenceUser }),
  },
  "presence:left": {
    summary: "A user's last socket left the session or disconnected, on whatever node",
    payload: z.object({ sessionId: uuid, userId: uuid }),
  },
  "doc:update": {
    summary: "Another participant's acknowledged document update",
    payload: z.object({ sessionId: uuid, update: binaryOut, userId: uuid }),
  },
  "awareness:update": {
    summary: "Another connection's awareness state; `state: null` when that connection left or disconnected",
    payload: AwarenessEntry.extend({ sessionId: uuid }),
  },
  "chat:message": {
    summary: "A new chat message (the sender's sockets included)",
    payload: z.object({ sessionId: uuid, message: ChatMessage }),
  },
});
