import type { Core, DomainModule } from "../core.js";
import { cohortRoutes } from "./routes.js";
import { createCohortService } from "./service.js";

export function cohortsModule(core: Core): DomainModule {
  return { routes: cohortRoutes(core, createCohortService(core)) };
}
