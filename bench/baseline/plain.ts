/**
 * What the hand-written comparison servers (server.ts, floor-server.ts) share: their settings, the JWT check,
 * listening, stopping.
 */
import type { Server as HttpServer } from "node:http";
import jwt from "jsonwebtoken";
import type { Server } from "socket.io";
import { z } from "zod";

/**
 * The servers' settings, parsed once from the environment. `durable` (FLOOR_DURABLE=1) is the floor server's: each
 * update stored before its ack.
 */
export function loadSettings(defaultRedisPrefix: string) {
  return z
    .object({
      DATABASE_URL: z.string().min(1),
      REDIS_URL: z.string().min(1),
      JWT_SECRET: z.string().min(1),
      REDIS_PREFIX: z.string().default(defaultRedisPrefix),
      PORT: z.coerce.number().int().nonnegative().default(0),
      FLOOR_DURABLE: z.enum(["0", "1"]).default("0"),
    })
    .transform(({ FLOOR_DURABLE, ...rest }) => ({ ...rest, durable: FLOOR_DURABLE === "1" }))
    .parse(process.env);
}

/** Admits a socket whose `auth.token` is a JWT signed with `secret`; its `sub` becomes `socket.data.userId`. */
export function requireToken(io: Server, secret: string): void {
  io.use((socket, next) => {
    try {
      const claims = jwt.verify(String((socket.handshake.auth as { token?: unknown }).token), secret) as jwt.JwtPayload;
      socket.data.userId = claims.sub;
      next();
    } catch {
      next(new Error("unauthorized"));
    }
  });
}

/**
 * Listens on 127.0.0.1:`port` and logs the JSON line the bench waits for; on SIGTERM or SIGINT closes Socket.IO,
 * then `close` (database, Redis), then exits.
 */
export function serve(http: HttpServer, io: Server, port: number, close: () => Promise<unknown>[]): void {
  http.listen(port, "127.0.0.1", () => {
    const address = http.address();
    console.log(JSON.stringify({ msg: "listening", port: typeof address === "object" && address ? address.port : 0 }));
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    process.once(signal, () => {
      void io.close();
      void Promise.allSettled(close()).then(() => process.exit(0));
    });
}
