import type { Core } from "../core.js";
import { sessionRoom } from "./rooms.js";

/**
 * Where session lifecycle events reach sockets: everyone in the session's room, on every node. (Document, awareness
 * and chat relays are socket-to-room already and stay in socket.ts.)
 */
export function deliverSessionEvents(core: Pick<Core, "events" | "io">): void {
  const { events, io } = core;
  events.on("session.status.changed", ({ session }) => {
    io.to(sessionRoom(session.id)).emit("session:status", { sessionId: session.id, status: session.status });
  });
}
