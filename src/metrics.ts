import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** One registry per server instance, holding the contract's series and the process defaults. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    socketsConnected: new Gauge({
      name: "cohort_live_sockets_connected",
      help: "Socket.IO connections open on this node",
      registers: [registry],
    }),
    eventsTotal: new Counter({
      name: "cohort_live_events_total",
      help: "Client events handled, by event name and outcome (ok or an error code)",
      labelNames: ["event", "outcome"] as const,
      registers: [registry],
    }),
    ackDuration: new Histogram({
      name: "cohort_live_ack_duration_seconds",
      help: "Time from receiving a client event to sending its ack",
      labelNames: ["event"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    dbErrors: new Counter({
      name: "cohort_live_db_errors_total",
      help: "Database operations that failed because the database was unavailable or errored",
      registers: [registry],
    }),
    redisErrors: new Counter({
      name: "cohort_live_redis_errors_total",
      help: "Redis operations or connections that failed",
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: "cohort_live_http_requests_total",
      help: "HTTP requests by method, route and status",
      labelNames: ["method", "route", "status"] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "cohort_live_http_request_duration_seconds",
      help: "HTTP request duration by method, route pattern (or unmatched) and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
