import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import type { AccessService } from "../identity/access.js";
import type { TokenService } from "../identity/tokens.js";
import type { Config } from "../config/config.js";
import type { Engine } from "../engine/engine.js";
import { toErrorBody } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";
import { writeBinaryBroadcastsOnce } from "./binary-frames.js";
import { checkConnectRate, handshakeIp, type SocketCounter } from "./connect-limits.js";
import { MAX_MESSAGE_BYTES } from "./handler.js";
import type { AppServer } from "./types.js";

/**
 * Creates the Socket.IO server on the HTTP server, clustered by the engine, with the handshake checks:
 * CONNECT_RATE_LIMIT per IP, the access token, MAX_SOCKETS_PER_USER.
 */
export function createIo(
  httpServer: HttpServer,
  deps: {
    config: Config;
    engine: Engine;
    tokens: TokenService;
    access: AccessService;
    logger: Logger;
    metrics: Metrics;
    sockets: SocketCounter;
  },
): AppServer {
  const { config, engine, tokens, access, logger, sockets } = deps;
  const io: AppServer = new Server(httpServer, {
    // a little above the 1 MB contract limit, so the handler wrapper can answer PAYLOAD_TOO_LARGE itself
    maxHttpBufferSize: MAX_MESSAGE_BYTES + 64 * 1024,
    cors: { origin: config.corsOrigins === "*" ? true : config.corsOrigins, credentials: true },
    pingInterval: 10_000,
    pingTimeout: 10_000,
    // small JSON and Yjs frames: compressing each costs more CPU (and a zlib context per socket) than it saves
    perMessageDeflate: false,
  });
  // nothing reads the handshake's HTTP request after the connect (the handshake keeps its auth): let it go
  io.on("connection", (socket) => {
    (socket.conn as { request: unknown }).request = null;
    writeBinaryBroadcastsOnce(socket);
  });

  io.use((socket, next) => {
    void (async () => {
      try {
        await checkConnectRate(engine, handshakeIp(socket.request, config.trustProxy), config.connectRateLimit);
        const claims = tokens.verify((socket.handshake.auth as { token?: unknown } | undefined)?.token);
        await access.requireToken(claims);
        await sockets.admit(claims.sub, socket.id);
        socket.data.userId = claims.sub;
        socket.data.exp = claims.exp;
        socket.data.epoch = claims.ep;
        next();
      } catch (err) {
        const body = toErrorBody(err);
        if (body.code === "INTERNAL") logger.error({ err }, "socket handshake failed");
        const error = new Error(body.message) as Error & { data?: unknown };
        error.data = { code: body.code, message: body.message };
        next(error);
        // the connect_error packet is queued by now; closing the engine.io connection flushes it first, and
        // the client cannot retry CONNECT packets on this connection (each new connection counts against
        // CONNECT_RATE_LIMIT)
        setImmediate(() => socket.conn.close());
      }
    })();
  });
  return io;
}
