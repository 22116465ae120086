import * as Y from "yjs";
import { AppError } from "../errors.js";

/** The shared text of a session's document. */
export const TEXT_NAME = "code";

/** Largest accepted `doc:update` and `initialCode` (256 KB). */
export const MAX_UPDATE_BYTES = 256 * 1024;

export type BinaryLike = Uint8Array | ArrayBuffer;

export const isBinary = (v: unknown): v is BinaryLike => v instanceof Uint8Array || v instanceof ArrayBuffer;

/**
 * A plain view of binary data, whatever it came as: a Buffer (`pg`, Socket.IO), a Uint8Array (PGlite),
 * an ArrayBuffer (browsers) or bytea text in hex form (`\x…`).
 */
export function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (typeof v === "string" && v.startsWith("\\x")) return new Uint8Array(Buffer.from(v.slice(2), "hex"));
  throw new TypeError("not binary data");
}

/** A bytea query parameter both drivers accept. */
export const toParam = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * Throws INVALID_PAYLOAD unless `update` is a Yjs update (v1) that can be applied. Decoding alone is not
 * enough: bytes that decode may still throw when integrated, and once stored such an update would break
 * every later load of the document. So the update is also applied to an empty document (what depends on
 * content it lacks waits there as pending), and an item may refer to its own client only at an earlier
 * clock, as every item Yjs creates does (Yjs trusts that and would fail later, once the update integrates).
 */
export function assertValidUpdate(update: Uint8Array): void {
  try {
    for (const struct of Y.decodeUpdate(update).structs) {
      if (!(struct instanceof Y.Item)) continue;
      const { client, clock } = struct.id;
      const parent = struct.parent instanceof Y.ID ? struct.parent : null;
      for (const ref of [struct.origin, struct.rightOrigin, parent]) {
        if (ref && ref.client === client && ref.clock >= clock) throw new Error("an item refers to its own future");
      }
    }
    // a fixed guid: generating a random one would cost more than the check itself
    const doc = new Y.Doc({ guid: "validation" });
    try {
      Y.applyUpdate(doc, update);
    } finally {
      doc.destroy();
    }
  } catch {
    throw new AppError("INVALID_PAYLOAD", "update is not a valid Yjs update");
  }
}

/** Throws INVALID_PAYLOAD unless `sv` decodes as a Yjs state vector. */
export function assertValidStateVector(sv: Uint8Array): void {
  try {
    Y.decodeStateVector(sv);
  } catch {
    throw new AppError("INVALID_PAYLOAD", "stateVector is not a valid Yjs state vector");
  }
}

/** The first update of a document whose text is `code`. */
export function initialUpdate(code: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText(TEXT_NAME).insert(0, code);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}
