/**
 * The one place tests take the contract's event-map types from. When the types move (to src/contract/),
 * only this file changes.
 */
export type {
  AckFailure,
  AckResponse,
  ClientToServerEvents,
  ServerToClientEvents,
  NotificationDto,
} from "../../src/realtime/events.js";
