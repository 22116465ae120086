import type { Socket } from "socket.io";
import * as ws from "ws";

/**
 * Room broadcasts carrying one binary attachment (`doc:update`, whose Yjs update is binary) written to each
 * WebSocket as one pre-built buffer, with both frames in it.
 *
 * Socket.IO pre-builds the WebSocket frame of a broadcast once for all its receivers, but only for packets without
 * binaries. A binary packet is two Engine.IO packets (the JSON with a placeholder, then the bytes), so for every
 * receiver Engine.IO re-encoded the JSON, `ws` framed both parts, and the socket made two `writev` calls — the
 * largest cost of a busy node (a third of its CPU in the typing benchmark). Here the two frames are built once per
 * broadcast and each receiver gets one write of the same bytes `ws` would have sent.
 *
 * Only for receivers on a WebSocket that sends binary frames uncompressed (Engine.IO's own condition for a
 * pre-built frame); long-polling receivers and every other packet take Socket.IO's usual path.
 */

/** What this module relies on of Socket.IO's Client and Engine.IO's socket (internal, not in their typings). */
interface EngineTransport {
  name: string;
  writable: boolean;
  supportsBinary?: boolean;
  perMessageDeflate?: unknown;
  socket?: { _sender?: { sendFrame?: unknown } };
}
interface EngineSocket {
  transport: EngineTransport;
  write(data: string, options: object): unknown;
}
interface PacketOptions {
  preEncoded?: boolean;
  volatile?: boolean;
}
interface SocketIoClient {
  conn: EngineSocket;
  writeToEngine(encodedPackets: unknown, opts: PacketOptions): void;
}

/** `ws`'s frame encoder (exported by `ws`, missing from @types/ws): the same bytes `ws` writes itself. */
const { Sender } = ws as unknown as {
  Sender: {
    frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
  };
};
const frame = (data: Buffer, opcode: 1 | 2): Buffer[] =>
  Sender.frame(data, { fin: true, opcode, mask: false, readOnly: false, rsv1: false });

/** The options of one broadcast's packets with both frames built, shared by all its receivers. */
const prebuilt = new WeakMap<unknown[], object>();

function prebuiltOptions(encoded: [string, Uint8Array], opts: PacketOptions): object {
  let built = prebuilt.get(encoded);
  if (!built) {
    const [json, bytes] = encoded;
    // "4" is Engine.IO's "message" packet type; the binary frame carries the attachment as it is
    const both = Buffer.concat([
      ...frame(Buffer.from("4" + json), 1),
      ...frame(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 2),
    ]);
    built = { ...opts, wsPreEncodedFrame: [both] };
    prebuilt.set(encoded, built);
  }
  return built;
}

const isOneBinaryPacket = (encoded: unknown): encoded is [string, Uint8Array] =>
  Array.isArray(encoded) && encoded.length === 2 && typeof encoded[0] === "string" && encoded[1] instanceof Uint8Array;

const takesPrebuiltFrames = (t: EngineTransport): boolean =>
  t.name === "websocket" &&
  t.supportsBinary === true &&
  !t.perMessageDeflate &&
  typeof t.socket?._sender?.sendFrame === "function";

/** Makes the socket's connection write binary broadcasts as described above (once per connection). */
export function writeBinaryBroadcastsOnce(socket: Socket): void {
  const client = socket.client as unknown as SocketIoClient;
  if (Object.hasOwn(client, "writeToEngine")) return;
  const usual = client.writeToEngine.bind(client);
  client.writeToEngine = (encoded, opts) => {
    const transport = client.conn.transport;
    if (!opts.preEncoded || !isOneBinaryPacket(encoded) || !takesPrebuiltFrames(transport)) {
      usual(encoded, opts);
      return;
    }
    if (opts.volatile && !transport.writable) return;
    // one Engine.IO packet whose pre-built frame holds both frames: Engine.IO writes the frame, not the data
    client.conn.write(encoded[0], prebuiltOptions(encoded, opts));
  };
}
