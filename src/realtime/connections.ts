import type { Core } from "../core.js";
import { createEventWrapper, createTokenBucket, type EventHandler } from "./handler.js";
import { type AppSocket, userRoom } from "./types.js";

/**
 * How long a socket may live past its token's expiry while it refreshes. The contract says "disconnected within
 * 10 s": a second below that, so timer and network delays never push the disconnect past it.
 */
export const EXPIRY_GRACE_MS = 9_000;

const expiryTimers = new WeakMap<AppSocket, NodeJS.Timeout>();

/** (Re)arms the socket's expiry: at `exp` it gets `auth:expired`, and is disconnected 9 s later. */
export function scheduleExpiry(socket: AppSocket) {
  clearTimeout(expiryTimers.get(socket));
  const msToExpiry = Math.max(0, socket.data.exp * 1000 - Date.now());
  const timer = setTimeout(
    () => {
      if (socket.data.exp * 1000 > Date.now()) return scheduleExpiry(socket);
      socket.emit("auth:expired", { exp: socket.data.exp });
      const kill = setTimeout(() => {
        if (socket.data.exp * 1000 <= Date.now()) socket.disconnect(true);
        else scheduleExpiry(socket);
      }, EXPIRY_GRACE_MS);
      expiryTimers.set(socket, kill);
    },
    Math.min(msToExpiry, 2 ** 31 - 1),
  );
  expiryTimers.set(socket, timer);
}

/** Wires every new connection: user room, expiry, the shared handler wrapper, the connection gauge. */
export function handleConnections(core: Core, handlers: EventHandler[], inflight: { add(p: Promise<unknown>): void }) {
  const { io, metrics, logger, access, config } = core;
  const wrapper = createEventWrapper(handlers, { access, metrics, logger, inflight });
  io.on("connection", (socket) => {
    metrics.socketsConnected.inc();
    void socket.join(userRoom(socket.data.userId));
    scheduleExpiry(socket);
    wrapper.attach(socket, createTokenBucket(config.socketRateLimit));
    socket.on("disconnect", () => {
      metrics.socketsConnected.dec();
      clearTimeout(expiryTimers.get(socket));
    });
  });
}
