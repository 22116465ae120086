import { z } from "zod";
import { route, serverEvents } from "./define.js";

const TAG = "Operations";
/** Served by the platform itself (not under /api); listed so the reference documents them. */
export const opsRoutes = {
  healthz: route({
    method: "get",
    path: "/healthz",
    tag: TAG,
    summary: "200 while the process runs",
    auth: false,
    status: 200,
    response: z.object({ status: z.literal("ok") }),
  }),
  readyz: route({
    method: "get",
    path: "/readyz",
    tag: TAG,
    summary: "200 when the database and Redis answer; 503 naming what is down, or while draining",
    auth: false,
    status: 200,
    response: z.object({ db: z.enum(["ok", "down"]), redis: z.enum(["ok", "down", "none"]), draining: z.boolean().optional() }),
    errors: ["UNAVAILABLE"],
  }),
  metrics: route({
    method: "get",
    path: "/metrics",
    tag: TAG,
    summary: "Prometheus metrics (text exposition format)",
    auth: false,
    status: 200,
    response: z.string().meta({ description: "text/plain; version=0.0.4" }),
  }),
};

export const opsServerEvents = serverEvents({
  "server:draining": {
    summary: "This node is shutting down: reconnect (to any node) and catch up",
    payload: z.object({ reconnect: z.literal(true) }),
  },
});
