/**
 * The one place the client takes the server's wire types from: the contract (`src/contract/`), type-only, so nothing
 * of it is bundled. Binary values arrive as ArrayBuffer in browsers and as Buffer in Node: `Received<T>` says so.
 */
import type {
  Ack,
  ApiRoutes,
  ClientToServerEvents,
  RouteBody,
  RouteName,
  RouteOutput,
  ServerToClientEvents,
} from "../contract/index.js";

export type {
  Announcement,
  AwarenessEntry,
  ChatMessage,
  ClientToServerEvents,
  Cohort,
  DocumentAuthor,
  ErrorCode,
  HistoryItem,
  Member,
  Notification,
  PresenceUser,
  Review,
  ReviewComment,
  Reviewer,
  ServerToClientEvents,
  Session,
  SessionStatus,
  User,
  UserRef,
  UserRole,
} from "../contract/index.js";
import type { User } from "../contract/index.js";

/** Binary data as it may arrive: a Uint8Array (a Node Buffer is one) or an ArrayBuffer (browsers). */
export type WireBinary = Uint8Array | ArrayBuffer;

/** `T` as it arrives over the wire: every Uint8Array may be an ArrayBuffer instead. */
export type Received<T> = T extends Uint8Array | ArrayBuffer
  ? WireBinary
  : T extends (infer U)[]
    ? Received<U>[]
    : T extends object
      ? { [K in keyof T]: Received<T[K]> }
      : T;

export type ClientEvent = keyof ClientToServerEvents;
export type ServerEvent = keyof ServerToClientEvents;
export type ClientPayload<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
/** The body of a successful ack of `E`, as received. */
export type AckBody<E extends ClientEvent> = Received<
  NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends Ack<infer T> ? T : never
>;
/** The payload of server event `E`, as received. */
export type ServerPayload<E extends ServerEvent> = Received<Parameters<ServerToClientEvents[E]>[0]>;

export interface AuthResult {
  user: User;
  accessToken: string;
  refreshToken: string;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

// ---- REST typing: a method and a path (with or without a query string) name a contract route

type Segments<S extends string> = S extends `${infer Head}/${infer Tail}` ? [Head, ...Segments<Tail>] : [S];
type PathOnly<P extends string> = P extends `${infer Path}?${string}` ? Path : P;
/** Whether concrete path segments match a route's (`:name` segments match any one segment). */
type SegmentsMatch<A extends string[], B extends string[]> = A extends [infer a, ...infer restA extends string[]]
  ? B extends [infer b extends string, ...infer restB extends string[]]
    ? b extends `:${string}`
      ? SegmentsMatch<restA, restB>
      : [a] extends [b]
        ? SegmentsMatch<restA, restB>
        : false
    : false
  : B extends []
    ? true
    : false;

/** The contract route that `method` and `path` call, or never. */
export type RouteFor<M extends HttpMethod, P extends string> = {
  [N in RouteName]: Uppercase<ApiRoutes[N]["method"]> extends M
    ? SegmentsMatch<Segments<PathOnly<P>>, Segments<ApiRoutes[N]["path"]>> extends true
      ? N
      : never
    : never;
}[RouteName];

/** The JSON body `request(method, path)` resolves with: the route's response when the path names one, else unknown. */
export type ResponseOf<M extends HttpMethod, P extends string> = [RouteFor<M, P>] extends [never]
  ? unknown
  : RouteOutput<ApiRoutes[RouteFor<M, P>]>;
/** The body `request(method, path, body)` takes. */
export type BodyOf<M extends HttpMethod, P extends string> = [RouteFor<M, P>] extends [never]
  ? unknown
  : RouteBody<ApiRoutes[RouteFor<M, P>]>;
