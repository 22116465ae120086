/**
 * How the contract declares REST routes and Socket.IO events: plain objects of zod schemas, typed precisely
 * (`const` generics), from which the server registers handlers, the documents are generated and clients type.
 */
import type { z } from "zod";
import type { AckFailure, ErrorCode } from "./errors.js";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface RouteDef {
  method: HttpMethod;
  /** Express-style path with `:name` parameters, from the root (`/api/...`). */
  path: string;
  summary: string;
  description?: string;
  /** Section in the API reference. */
  tag: string;
  /** true: `Authorization: Bearer <access token>` required (else 401). */
  auth: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success status; 204 has no body. */
  status: 200 | 201 | 204;
  response?: z.ZodType;
  /** Error codes this route documents besides INVALID_PAYLOAD/UNAUTHORIZED/INTERNAL/UNAVAILABLE. */
  errors?: readonly ErrorCode[];
}

export const route = <const D extends RouteDef>(def: D): D => def;

type OutputOf<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type InputOf<S> = S extends z.ZodType ? z.input<S> : undefined;

/** What a route handler receives, parsed and validated. */
export interface RouteInput<R extends RouteDef> {
  params: OutputOf<R["params"]>;
  query: OutputOf<R["query"]>;
  body: OutputOf<R["body"]>;
}
/** What a route handler returns (the JSON body), or void for 204. */
export type RouteOutput<R extends RouteDef> = R["response"] extends z.ZodType ? z.output<R["response"]> : void;
/** What a client sends as the body. */
export type RouteBody<R extends RouteDef> = InputOf<R["body"]>;

export interface ClientEventDef {
  summary: string;
  payload: z.ZodObject;
  /** The success ack's fields besides `ok: true`. */
  ack: z.ZodObject;
}
export interface ServerEventDef {
  summary: string;
  payload: z.ZodType;
}

export const clientEvents = <const T extends Record<string, ClientEventDef>>(table: T): T => table;
export const serverEvents = <const T extends Record<string, ServerEventDef>>(table: T): T => table;

export type AckResponse<T> = ({ ok: true } & T) | AckFailure;
export type Ack<T> = (response: AckResponse<T>) => void;

/** Socket.IO's client→server event map from a table of client events. */
export type ClientEventMap<T extends Record<string, ClientEventDef>> = {
  [E in keyof T]: (payload: z.input<T[E]["payload"]>, ack?: Ack<z.output<T[E]["ack"]>>) => void;
};
/** Socket.IO's server→client event map from a table of server events. */
export type ServerEventMap<T extends Record<string, ServerEventDef>> = {
  [E in keyof T]: (payload: z.output<T[E]["payload"]>) => void;
};
