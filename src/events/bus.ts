import { z } from "zod";
import { uuid } from "../contract/index.js";
import type { Engine } from "../engine/engine.js";
import type { Logger } from "../logger.js";

/**
 * Every message nodes send each other, by channel: one map of names to payload schemas. A message that does
 * not match its schema (another version, a stray publisher on a shared Redis) is logged and dropped.
 */
export const busChannels = {
  /** A user's role or memberships changed: drop cached access and re-check their sockets' rooms. */
  "access.changed": z.object({ userId: uuid }),
  /** A live session's status changed: drop the cached session. */
  "session.changed": z.object({ sessionId: uuid }),
  /** A document update was committed (row `id`, by `userId`): apply it to the in-memory document and relay it. */
  "docs.update": z.object({
    origin: z.string(),
    sessionId: uuid,
    id: z.string().regex(/^\d{1,19}$/),
    createdAt: z.iso.datetime({ offset: true }),
    userId: uuid,
    update: z.string().meta({ description: "the Yjs update, base64" }),
  }),
  /** Notifications of these users committed: their server-sent-event streams on every node read what is new. */
  "notifications.created": z.object({ userIds: z.array(uuid) }),
};
export type BusChannels = typeof busChannels;
export type BusChannel = keyof BusChannels;
export type BusMessage<C extends BusChannel> = z.output<BusChannels[C]>;

/** The typed inter-node bus (over the engine's publish/subscribe: in memory, or Redis). */
export interface Bus {
  /** Delivers to every node's subscribers, this node included; resolves once published. */
  publish<C extends BusChannel>(channel: C, message: BusMessage<C>): Promise<void>;
  subscribe<C extends BusChannel>(channel: C, handler: (message: BusMessage<C>) => void): void;
}

export function createBus(engine: Engine, logger: Logger): Bus {
  return {
    publish: (channel, message) => engine.publish(channel, message),
    subscribe(channel, handler) {
      const schema = busChannels[channel];
      engine.subscribe(channel, (raw) => {
        const parsed = schema.safeParse(raw);
        if (!parsed.success) {
          logger.warn({ channel }, "malformed bus message dropped");
          return;
        }
        handler(parsed.data as BusMessage<typeof channel>);
      });
    },
  };
}
