import type { AccessService } from "./access.js";
import { AppError } from "../errors.js";
import type { DomainEventBus } from "../events/domain-events.js";
import { type AppServer, type AppSocket, userRoom } from "../realtime/types.js";

/**
 * Rooms that belong to a cohort (a session's room, a review's room). When a user's access changes, every
 * node re-checks that user's local sockets and makes them leave the rooms of cohorts they lost, so they
 * stop receiving those events at once (then `cohort.room.revoked` lets domains clean up, e.g. presence).
 */
export function createCohortRooms(io: AppServer, access: AccessService, events: DomainEventBus) {
  const roomCohort = new Map<string, string>();

  async function recheck(userId: string) {
    const ids = io.of("/").adapter.rooms.get(userRoom(userId));
    if (!ids || ids.size === 0) return;
    const current = await access.get(userId);
    for (const id of ids) {
      const socket = io.of("/").sockets.get(id);
      if (!socket) continue;
      if (!current) {
        socket.disconnect(true);
        continue;
      }
      for (const room of socket.rooms) {
        const cohortId = roomCohort.get(room);
        if (!cohortId || access.cohortRole(current, cohortId)) continue;
        await socket.leave(room);
        await events.emitAndWait("cohort.room.revoked", { socket, room, cohortId });
      }
    }
  }
  events.on("access.changed", ({ userId }) => recheck(userId));
  // forget a room's cohort once its last local socket left, so the map does not grow with every session ever held
  io.of("/").adapter.on("delete-room", (room: string) => roomCohort.delete(room));

  return {
    /**
     * Joins `room`, remembering which cohort it belongs to. Throws FORBIDDEN (having left again) when the
     * user is no longer a member: a revocation that landed between the caller's permission check and this
     * join found the socket outside the room, so it is checked once more now that the socket is in.
     */
    async join(socket: AppSocket, room: string, cohortId: string) {
      roomCohort.set(room, cohortId);
      await socket.join(room);
      const current = await access.get(socket.data.userId);
      if (!current || !access.cohortRole(current, cohortId)) {
        await socket.leave(room);
        throw new AppError("FORBIDDEN", "not a member of this cohort");
      }
    },
  };
}

export type CohortRooms = ReturnType<typeof createCohortRooms>;
