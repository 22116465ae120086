import type { Core, DomainModule } from "../core.js";
import { createInvitationService } from "./invitations.js";
import { cohortRouter } from "./routes.js";
import { createCohortService, type CohortService } from "./service.js";

export function cohortsModule(core: Core): DomainModule & { service: CohortService } {
  const service = createCohortService(core);
  return { service, routes: cohortRouter(core, service, createInvitationService(core)) };
}

export type { CohortService } from "./service.js";
