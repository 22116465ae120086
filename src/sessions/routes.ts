import { sessionRoutes } from "../contract/index.js";
import type { Core } from "../core.js";
import { mountRoutes } from "../http/routes.js";
import { AppError } from "../errors.js";
import type { ChatService } from "./chat.js";
import type { DocumentHistory } from "./document-history.js";
import type { SessionService } from "./service.js";

/** The live-session routes of the contract: translation only, the rules live in the services. */
export function sessionRouter(core: Core, sessions: SessionService, chat: ChatService, history: DocumentHistory) {
  return mountRoutes(
    sessionRoutes,
    {
      createSession: async ({ params, body }, { caller }) => ({ session: await sessions.create(caller.access, params.id, body) }),
      listSessions: async ({ params }, { caller }) => ({ sessions: await sessions.list(caller.access, params.id) }),
      getSession: async ({ params }, { caller }) => ({ session: await sessions.get(caller.access, params.id) }),
      startSession: async ({ params }, { caller }) => ({ session: await sessions.start(caller.access, params.id) }),
      endSession: async ({ params }, { caller }) => ({ session: await sessions.end(caller.access, params.id) }),
      getDocument: async ({ params, query }, { caller }) => {
        if (query.at === undefined) return sessions.document(caller.access, params.id);
        const at = new Date(query.at);
        if (Number.isNaN(at.getTime())) throw new AppError("INVALID_PAYLOAD", "invalid query: at must be a time");
        await sessions.readable(caller.access, params.id);
        return history.at(params.id, at);
      },
      getHistory: async ({ params, query }, { caller }) => {
        await sessions.readable(caller.access, params.id);
        return history.page(params.id, query);
      },
      getAuthors: async ({ params }, { caller }) => {
        await sessions.readable(caller.access, params.id);
        return { authors: await history.authors(params.id) };
      },
      getChat: async ({ params, query }, { caller }) => {
        await sessions.readable(caller.access, params.id);
        return chat.history(params.id, query);
      },
    },
    core,
  );
}
