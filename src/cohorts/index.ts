import type { Core, DomainModule } from "../core.js";

export function cohortsModule(_core: Core): DomainModule {
  return {};
}
