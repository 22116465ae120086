import * as Y from "yjs";
import { type AckOf, type ClientSocket, emitAck, type ServerPayload } from "./sockets.js";

const REMOTE = Symbol("remote");

/**
 * A real Yjs client of one session's document: applies `doc:update`s it receives, sends each local edit
 * as `doc:update`, and catches up with `doc:sync`. `join` may be called again with a new socket (reconnect).
 */
export class DocClient {
  readonly doc = new Y.Doc();
  /** `doc:update` events received. */
  received = 0;
  private joinedOn: ClientSocket | undefined;
  private readonly onUpdate = (p: ServerPayload<"doc:update">) => {
    if (p.sessionId !== this.sessionId) return;
    this.received++;
    Y.applyUpdate(this.doc, new Uint8Array(p.update), REMOTE);
  };

  constructor(readonly sessionId: string) {}

  /** Joins on `socket`; the ack's state is applied unless `applyState` is false (to test `doc:sync`). */
  async join(socket: ClientSocket, opts: { applyState?: boolean } = {}): Promise<AckOf<"session:join">> {
    this.joinedOn?.off("doc:update", this.onUpdate);
    this.joinedOn = socket;
    socket.on("doc:update", this.onUpdate);
    const ack = await emitAck(socket, "session:join", { sessionId: this.sessionId });
    if (ack.ok && opts.applyState !== false) Y.applyUpdate(this.doc, new Uint8Array(ack.state), REMOTE);
    return ack;
  }

  /** The socket of the last `join`. */
  get socket(): ClientSocket {
    if (!this.joinedOn) throw new Error("DocClient: join first");
    return this.joinedOn;
  }

  text(): string {
    return this.doc.getText("code").toString();
  }

  /** Makes a local edit and returns its update, without sending it. */
  edit(change: (text: Y.Text) => void): Uint8Array {
    let update: Uint8Array | null = null;
    const capture = (u: Uint8Array) => (update = u);
    this.doc.once("update", capture);
    change(this.doc.getText("code"));
    if (!update) throw new Error("the edit changed nothing");
    return update;
  }

  /** Inserts `s` (at a random position unless `at` is given) and sends it; resolves with the ack. */
  type(s: string, at?: number): Promise<AckOf<"doc:update">> {
    const update = this.edit((t) => t.insert(at ?? Math.floor(Math.random() * (t.length + 1)), s));
    return emitAck(this.socket, "doc:update", { sessionId: this.sessionId, update });
  }

  /** `doc:sync`: applies what the server has and we lack, then sends what the server lacks. */
  async sync(): Promise<void> {
    const ack = await emitAck(this.socket, "doc:sync", { sessionId: this.sessionId, stateVector: Y.encodeStateVector(this.doc) });
    if (!ack.ok) throw new Error(`doc:sync failed: ${JSON.stringify(ack.error)}`);
    Y.applyUpdate(this.doc, new Uint8Array(ack.update), REMOTE);
    const missing = Y.encodeStateAsUpdate(this.doc, new Uint8Array(ack.stateVector));
    // an update carrying nothing encodes as two zero bytes
    if (missing.byteLength > 2) {
      const sent = await emitAck(this.socket, "doc:update", { sessionId: this.sessionId, update: missing });
      if (!sent.ok) throw new Error(`doc:update failed: ${JSON.stringify(sent.error)}`);
    }
  }
}
