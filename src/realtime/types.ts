import type { Server, Socket } from "socket.io";
import type { ClientToServerEvents, ServerToClientEvents } from "../contract/index.js";

/** What the server keeps on each socket. */
export interface SocketData {
  userId: string;
  /** Access-token expiry (seconds since epoch). */
  exp: number;
  /** The token epoch of the socket's access token (see identity/tokens.ts). */
  epoch: number;
}

export type InterServerEvents = Record<string, never>;
export type AppServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const userRoom = (userId: string) => `user:${userId}`;
