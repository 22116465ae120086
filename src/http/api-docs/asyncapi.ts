import { z } from "zod";
import {
  AckFailure,
  clientEventTable,
  serverEventTable,
  type ClientEventDef,
  type ServerEventDef,
} from "../../contract/index.js";
import { type JsonSchema, toJsonSchema } from "./json-schema.js";

const REF = "#/components/schemas/";
/** AsyncAPI channel and message ids may not contain ':'. */
const idOf = (event: string) => event.replace(/[^A-Za-z0-9]+/g, "_");

/**
 * AsyncAPI 3.0 of every Socket.IO event, both directions, generated from the contract. One channel per event
 * name; client events are operations the server receives, with their ack as the reply; server events are sent.
 */
export function buildAsyncApi(version: string) {
  const defs: Record<string, JsonSchema> = {};
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const messages: Record<string, JsonSchema> = {};

  const channel = (event: string) => {
    const id = idOf(event);
    channels[id] ??= { address: event, title: event, messages: {} };
    return { id, messages: channels[id].messages as Record<string, JsonSchema> };
  };

  for (const [event, def] of Object.entries(clientEventTable) as [string, ClientEventDef][]) {
    const ch = channel(event);
    const payloadId = `${idOf(event)}_payload`;
    const ackId = `${idOf(event)}_ack`;
    const ack = z.union([z.object({ ok: z.literal(true) }).extend(def.ack.shape), AckFailure]);
    messages[payloadId] = {
      name: event,
      title: `${event} (client → server)`,
      payload: toJsonSchema(def.payload, "input", defs, REF),
    };
    messages[ackId] = {
      name: `${event} ack`,
      title: `${event} acknowledgement`,
      payload: toJsonSchema(ack, "output", defs, REF),
    };
    ch.messages[payloadId] = { $ref: `#/components/messages/${payloadId}` };
    ch.messages[ackId] = { $ref: `#/components/messages/${ackId}` };
    operations[`client_${idOf(event)}`] = {
      action: "receive",
      channel: { $ref: `#/channels/${ch.id}` },
      summary: def.summary,
      messages: [{ $ref: `#/channels/${ch.id}/messages/${payloadId}` }],
      reply: { channel: { $ref: `#/channels/${ch.id}` }, messages: [{ $ref: `#/channels/${ch.id}/messages/${ackId}` }] },
    };
  }
  for (const [event, def] of Object.entries(serverEventTable) as [string, ServerEventDef][]) {
    const ch = channel(event);
    const id = `${idOf(event)}_event`;
    messages[id] = { name: event, title: `${event} (server → client)`, payload: toJsonSchema(def.payload, "output", defs, REF) };
    ch.messages[id] = { $ref: `#/components/messages/${id}` };
    operations[`server_${idOf(event)}`] = {
      action: "send",
      channel: { $ref: `#/channels/${ch.id}` },
      summary: def.summary,
      messages: [{ $ref: `#/channels/${ch.id}/messages/${id}` }],
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: "cohort-live realtime API",
      version,
      description:
        "Socket.IO events of cohort-live. Connect with `io(url, { auth: { token } })` (long-polling then WebSocket, or WebSocket only). " +
        "Every client event takes an ack callback answered `{ok: true, ...}` or `{ok: false, error: {code, message}}`.",
    },
    defaultContentType: "application/json",
    servers: { default: { host: "localhost:3000", protocol: "ws", description: "Socket.IO (engine.io v4) on the HTTP port" } },
    channels,
    operations,
    components: { schemas: defs, messages },
  };
}
