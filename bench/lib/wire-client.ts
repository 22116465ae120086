/**
 * A lean Socket.IO client for the load generator: one `ws` WebSocket speaking Engine.IO 4 directly (no long-polling
 * first, no reconnection) with socket.io-parser's own Encoder and Decoder for the Socket.IO packets.
 *
 * Why: in big-docs, 600 socket.io-client sockets in two processes cost about two thirds of a core — roughly 70 µs
 * per relayed update, mostly its manager/transport/emitter layers and their garbage — on the same two cores as
 * the servers they measure. The wire traffic, and so the servers' work, is the same; real members' devices bring
 * their own CPU. The scenario's mirrored joiners (which check the documents end to end) keep socket.io-client.
 */
import WebSocket from "ws";
import { Decoder, Encoder, type Packet, PacketType } from "socket.io-parser";
import type { ClientToServerEvents, ServerToClientEvents } from "../../test/support/contract.js";
import type { AckOf, Payload, ServerPayload } from "../../test/support/sockets.js";

export interface WireSocket {
  /** Calls `handler` with each `event` the server emits to this socket (binary fields arrive as Buffers). */
  on<E extends keyof ServerToClientEvents>(event: E, handler: (payload: ServerPayload<E>) => void): void;
  /** Emits `event` and resolves with its ack (rejects after `timeoutMs`, or when the socket closes). */
  emitAck<E extends keyof ClientToServerEvents>(event: E, payload: Payload<E>, timeoutMs?: number): Promise<AckOf<E>>;
  close(): void;
}

const NAMESPACE = "/";

/** Opens a socket to the Socket.IO server at `url` (http://host:port) with `auth` = `{token}`; resolves once connected. */
export function wireConnect(url: string, token: string, timeoutMs = 10_000): Promise<WireSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
  const encoder = new Encoder();
  const decoder = new Decoder();
  const handlers = new Map<string, (payload: unknown) => void>();
  const acks = new Map<number, { resolve: (args: unknown[]) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 0;

  const send = (packet: Packet) => {
    for (const part of encoder.encode(packet) as (string | Uint8Array)[]) ws.send(typeof part === "string" ? `4${part}` : part);
  };
  const failAll = (err: Error) => {
    for (const { reject, timer } of acks.values()) {
      clearTimeout(timer);
      reject(err);
    }
    acks.clear();
  };

  const socket: WireSocket = {
    // the server's payloads are trusted here as the contract types them: this is a load generator, not a test
    on: (event, handler) => void handlers.set(event, handler as (payload: unknown) => void),
    emitAck(event, payload, ackTimeoutMs = 10_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          acks.delete(id);
          reject(new Error(`${event}: no ack within ${ackTimeoutMs} ms`));
        }, ackTimeoutMs);
        acks.set(id, { resolve: (args) => resolve(args[0] as never), reject, timer });
        send({ type: PacketType.EVENT, nsp: NAMESPACE, id, data: [event, payload] });
      });
    },
    close: () => ws.close(),
  };

  return new Promise((resolve, reject) => {
    const giveUp = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no connection to ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    decoder.on("decoded", (packet: Packet) => {
      switch (packet.type) {
        case PacketType.CONNECT:
          clearTimeout(giveUp);
          return resolve(socket);
        case PacketType.CONNECT_ERROR:
          clearTimeout(giveUp);
          ws.close();
          return reject(new Error(`connect_error: ${JSON.stringify(packet.data)}`));
        case PacketType.EVENT:
        case PacketType.BINARY_EVENT: {
          const [event, payload] = packet.data as [string, unknown];
          return handlers.get(event)?.(payload);
        }
        case PacketType.ACK:
        case PacketType.BINARY_ACK: {
          const pending = acks.get(packet.id!);
          if (!pending) return;
          acks.delete(packet.id!);
          clearTimeout(pending.timer);
          return pending.resolve(packet.data as unknown[]);
        }
        case PacketType.DISCONNECT:
          return ws.close();
      }
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      // Engine.IO 4 over WebSocket: a binary frame is a message's raw bytes; a text frame starts with its packet type
      if (isBinary) return decoder.add(data);
      const text = data.toString();
      switch (text[0]) {
        case "0": // open: the Socket.IO CONNECT to the main namespace, with the token
          return send({ type: PacketType.CONNECT, nsp: NAMESPACE, data: { token } });
        case "2":
          return ws.send("3");
        case "4":
          return decoder.add(text.slice(1));
        case "1":
          return ws.close();
      }
    });
    ws.on("error", (err) => {
      clearTimeout(giveUp);
      reject(err);
    });
    ws.on("close", () => {
      clearTimeout(giveUp);
      decoder.destroy();
      failAll(new Error("socket closed"));
      reject(new Error("socket closed before connecting"));
    });
  });
}
