import type { Core, DomainModule } from "../core.js";
import { authHandlers } from "./socket.js";

export function authModule(core: Core): DomainModule {
  return { handlers: authHandlers(core) };
}
