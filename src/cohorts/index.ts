import type { Core, DomainModule } from "../core.js";
import { createInvitationService } from "./invitations.js";
import { cohortRouter } from "./routes.js";
import { createCohortService } from "./service.js";

export function cohortsModule(core: Core): DomainModule {
  return { routes: cohortRouter(core, createCohortService(core), createInvitationService(core)) };
}
