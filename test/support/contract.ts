/**
 * The one place tests take the contract's event-map and shape types from, so a move of the contract changes
 * only this file.
 */
export type {
  AckFailure,
  AckResponse,
  ClientToServerEvents,
  Notification as NotificationDto,
  ServerToClientEvents,
} from "../../src/contract/index.js";
