/**
 * The one place tests take the contract's event-map and shape types from, so a move of the contract changes
 * only this file.
 */
import type { z } from "zod";
import type { CreateSessionBody } from "../../src/contract/index.js";

export type {
  AckFailure,
  AckResponse,
  ClientToServerEvents,
  Notification as NotificationDto,
  ServerToClientEvents,
  Session,
} from "../../src/contract/index.js";

/** What `POST /api/cohorts/:id/sessions` takes: title, language and an optional initialCode. */
export type NewSession = z.input<typeof CreateSessionBody>;
