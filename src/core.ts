import type { DataSource } from "typeorm";
import type { TokenService } from "./identity/tokens.js";
import type { AccessService } from "./identity/access.js";
import type { Config } from "./config/config.js";
import type { Engine } from "./engine/engine.js";
import type { JobQueue } from "./jobs/queue.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";
import type { Bus } from "./events/bus.js";
import type { DomainEventBus } from "./events/domain-events.js";
import type { EventHandler } from "./realtime/handler.js";
import type { CohortRooms } from "./identity/cohort-rooms.js";
import type { AppServer } from "./realtime/types.js";
import type { Router } from "express";

/** The cross-cutting pieces every domain receives. */
export interface Core {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  db: DataSource;
  engine: Engine;
  /** Background work as jobs in the database (pg-boss); domains define their queues before start. */
  jobs: JobQueue;
  /** Typed messages between nodes. */
  bus: Bus;
  /** Typed facts between domains, in process. */
  events: DomainEventBus;
  io: AppServer;
  tokens: TokenService;
  access: AccessService;
  rooms: CohortRooms;
  /** Set once shutdown begins. */
  isDraining(): boolean;
}

/** What a domain contributes to the server. */
export interface DomainModule {
  routes?: Router;
  handlers?: EventHandler[];
  /** Starts timers and background work; called once the database is ready. Nothing runs before it. */
  start?: () => Promise<void> | void;
  /** Stops timers; called on shutdown before the database closes. */
  stop?: () => Promise<void>;
}
