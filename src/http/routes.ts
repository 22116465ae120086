import { type Request, type Response, Router } from "express";
import type { RouteDef, RouteInput, RouteOutput } from "../contract/index.js";
import type { AccessService, UserAccess } from "../identity/access.js";
import type { TokenService } from "../identity/tokens.js";
import { requireAuth } from "./auth-middleware.js";
import { parse } from "./validate.js";

export interface Caller {
  userId: string;
  access: UserAccess;
}

/** What a route handler gets besides its parsed input: the caller (routes with `auth: true`) and the raw request. */
export interface RouteContext<R extends RouteDef> {
  caller: R["auth"] extends true ? Caller : undefined;
  req: Request;
  res: Response;
}

export type RouteHandler<R extends RouteDef> = (input: RouteInput<R>, ctx: RouteContext<R>) => Promise<RouteOutput<R>>;
/** A domain's implementation of its contract routes, by name. */
export type RouteHandlers<T extends Record<string, RouteDef>> = { [K in keyof T]: RouteHandler<T[K]> };

const EMPTY = {};

/**
 * Registers contract routes on a router: params, query and body are parsed with the contract's schemas
 * (INVALID_PAYLOAD / PAYLOAD_TOO_LARGE on failure), `auth: true` routes require a valid access token, and
 * the handler's result is sent with the route's status. Handlers only translate to a service call.
 */
export function mountRoutes<T extends Record<string, RouteDef>>(
  table: T,
  handlers: RouteHandlers<T>,
  deps: { tokens: TokenService; access: AccessService; router?: Router },
): Router {
  const router = deps.router ?? Router();
  const authed = requireAuth(deps.tokens, deps.access);
  for (const name of Object.keys(table) as (keyof T & string)[]) {
    const def = table[name]!;
    const handler = handlers[name] as RouteHandler<RouteDef>;
    const run = async (req: Request, res: Response) => {
      const input: RouteInput<RouteDef> = {
        params: def.params ? parse(def.params, req.params, "path") : EMPTY,
        query: def.query ? parse(def.query, req.query, "query") : EMPTY,
        body: def.body ? parse(def.body, req.body ?? {}, "body") : EMPTY,
      } as RouteInput<RouteDef>;
      const result = await handler(input, { caller: req.auth, req, res } as RouteContext<RouteDef>);
      if (res.headersSent) return;
      if (def.status === 204) res.status(204).end();
      else res.status(def.status).json(result);
    };
    if (def.auth) router[def.method](def.path, authed, run);
    else router[def.method](def.path, run);
  }
  return router;
}
