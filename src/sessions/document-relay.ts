import { randomUUID } from "node:crypto";
import type { Core } from "../core.js";
import type { BusMessage } from "../events/bus.js";
import type { StoredUpdate } from "./document-store.js";
import type { LiveDocuments } from "./live-documents.js";
import { sessionRoom } from "./rooms.js";

const CHANNEL = "docs.update";

/**
 * Committed updates to every node through the engine bus, one message each: a node applies it to its in-memory
 * document and relays it to its own sockets in the session. The writing node does both at once, without waiting
 * for its own message. What the bus loses (a Redis outage) the nodes find missing by their row-count check, and
 * the clients by `doc:sync`.
 */
export function createDocumentRelay(core: Core, live: LiveDocuments) {
  const node = randomUUID();
  core.bus.subscribe(CHANNEL, (message) => {
    if (message.origin === node) return;
    const update = new Uint8Array(Buffer.from(message.update, "base64"));
    live.apply(message.sessionId, { id: message.id, createdAt: new Date(message.createdAt) }, update);
    core.io.local
      .to(sessionRoom(message.sessionId))
      .emit("doc:update", { sessionId: message.sessionId, update, userId: message.userId });
  });

  return {
    /** Relays a committed update from `socketId` (never echoed to it) on this node, and publishes it to the others. */
    committed(socketId: string, sessionId: string, userId: string, row: StoredUpdate, update: Uint8Array) {
      core.io.local.to(sessionRoom(sessionId)).except(socketId).emit("doc:update", { sessionId, update, userId });
      const message: BusMessage<typeof CHANNEL> = {
        origin: node,
        sessionId,
        id: row.id,
        createdAt: row.createdAt.toISOString(),
        userId,
        update: Buffer.from(update.buffer, update.byteOffset, update.byteLength).toString("base64"),
      };
      core.bus.publish(CHANNEL, message).catch((err: Error) => {
        core.logger.debug(
          { err: err.message, sessionId },
          "document update not published; other nodes catch up from the database",
        );
      });
    },
  };
}

export type DocumentRelay = ReturnType<typeof createDocumentRelay>;
