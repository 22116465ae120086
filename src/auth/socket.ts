import type { Core } from "../core.js";
import { AppError } from "../errors.js";
import { scheduleExpiry } from "../realtime/connections.js";
import { defineHandler } from "../realtime/handler.js";

/** `auth:refresh {token}`: a fresh access token of the same user keeps a long-lived socket alive. */
export function authHandlers(core: Core) {
  return [
    defineHandler("auth:refresh", async ({ token }, { socket, userId }) => {
      const claims = core.tokens.verify(token);
      if (claims.sub !== userId) throw new AppError("FORBIDDEN", "token belongs to another user");
      await core.access.requireToken(claims);
      socket.data.exp = claims.exp;
      socket.data.epoch = claims.ep;
      scheduleExpiry(socket);
      return { exp: claims.exp };
    }),
  ];
}
