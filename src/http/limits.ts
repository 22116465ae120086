import type { Server, ServerOptions } from "node:http";
import type { Duplex } from "node:stream";
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

function rawJsonError(socket: Duplex, status: number, reason: string, code: string, message: string) {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Requests Node's parser refuses before any handler runs get contract error bodies too: headers or URL over
 * the 16 KB limit → 413 PAYLOAD_TOO_LARGE (Node would send a bare 431), malformed HTTP → 400 INVALID_PAYLOAD.
 * Timeouts keep Node's 408.
 */
export function answerClientErrors(server: Server): void {
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    if (err.code === "ERR_HTTP_REQUEST_TIMEOUT")
      return void socket.end("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    if (err.code === "HPE_HEADER_OVERFLOW")
      return rawJsonError(socket, 413, "Payload Too Large", "PAYLOAD_TOO_LARGE", "request headers or URL over 16 KB");
    rawJsonError(socket, 400, "Bad Request", "INVALID_PAYLOAD", "malformed HTTP request");
  });
}
