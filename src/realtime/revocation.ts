import type { Core } from "../core.js";
import { userRoom } from "./types.js";

/**
 * Ends the sockets whose access was revoked: when a user's access changes (on every node, from the bus), their
 * local sockets whose token epoch is now behind get `auth:expired` and are disconnected at once (a refresh
 * cannot save them: the user's refresh tokens were revoked too).
 */
export function endRevokedSockets(core: Pick<Core, "io" | "access" | "events" | "logger">) {
  const { io, access, events, logger } = core;
  events.on("access.changed", async ({ userId }) => {
    const ids = io.of("/").adapter.rooms.get(userRoom(userId));
    if (!ids || ids.size === 0) return;
    const current = await access.get(userId);
    for (const id of [...ids]) {
      const socket = io.of("/").sockets.get(id);
      if (!socket || (current && socket.data.epoch >= current.tokenEpoch)) continue;
      socket.emit("auth:expired", { exp: socket.data.exp });
      socket.disconnect(true);
      logger.debug({ userId, socketId: id }, "socket of revoked access disconnected");
    }
  });
}
