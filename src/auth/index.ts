import type { Core, DomainModule } from "../core.js";
import { authRoutes } from "./routes.js";
import { createAuthService } from "./service.js";
import { authHandlers } from "./socket.js";

export function authModule(core: Core): DomainModule {
  const service = createAuthService(core);
  return { routes: authRoutes(core, service), handlers: authHandlers(core) };
}
