/**
 * `cohort-live/client`: the browser (and Node) client of cohort-live. It imports only yjs, y-protocols and
 * socket.io-client (the application's own copies) and nothing of the server.
 */
export { CohortLiveClient, type CohortLiveClientOptions } from "./client.js";
export { CohortLiveError } from "./errors.js";
export type { Channel } from "./channel.js";
export { LiveSession, type JoinOptions, type LiveSessionEvents, type LiveStatus } from "./live-session.js";
export { MemoryStorage, type StorageLike } from "./storage.js";
export { fromBase64, toUint8Array } from "./binary.js";
export type * from "./protocol.js";
