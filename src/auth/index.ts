import type { Core, DomainModule } from "../core.js";
import { setPasswordCost } from "./passwords.js";
import { authRouter } from "./routes.js";
import { createAuthService, type AuthService } from "./service.js";
import { authHandlers } from "./socket.js";

export function authModule(core: Core): DomainModule & { service: AuthService } {
  setPasswordCost(core.config.scryptLogN);
  const service = createAuthService(core);
  return { service, routes: authRouter(core, service), handlers: authHandlers(core) };
}

export type { AuthService } from "./service.js";
