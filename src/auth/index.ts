import type { Core, DomainModule } from "../core.js";
import { setPasswordCost } from "./passwords.js";
import { authRouter } from "./routes.js";
import { createAuthService } from "./service.js";
import { authHandlers } from "./socket.js";

export function authModule(core: Core): DomainModule {
  setPasswordCost(core.config.scryptLogN);
  const service = createAuthService(core);
  return { routes: authRouter(core, service), handlers: authHandlers(core) };
}
