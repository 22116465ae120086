import type { Server, ServerOptions } from "node:http";
import type { Config } from "../config/config.js";

/**
 * Slow-client limits of the HTTP server: a request must send its headers within HTTP_HEADERS_TIMEOUT_MS and
 * complete within HTTP_REQUEST_TIMEOUT_MS (else 408 and the connection closes), an idle keep-alive connection
 * closes after HTTP_KEEPALIVE_TIMEOUT_MS. Node checks these timers every `connectionsCheckingInterval`, 30 s
 * by default: a second keeps the limits close to what they say. (WebSocket upgrades leave this accounting.)
 */
export function httpServerOptions(config: Config): ServerOptions {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.http;
  return {
    headersTimeout: headersTimeoutMs,
    // Node requires headersTimeout ≤ requestTimeout unless requestTimeout is 0 (off)
    requestTimeout: requestTimeoutMs === 0 ? 0 : Math.max(requestTimeoutMs, headersTimeoutMs),
    keepAliveTimeout: keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, headersTimeoutMs || 1000),
  };
}

/** MAX_CONNECTIONS: open TCP connections per node (WebSockets included); beyond it new ones are closed at once. */
export function limitConnections(server: Server, config: Config): void {
  if (config.http.maxConnections > 0) server.maxConnections = config.http.maxConnections;
}
