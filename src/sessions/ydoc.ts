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
 * every later load of the document. So an item may refer to its own client only at an earlier clock, as every
 * item Yjs creates does (Yjs trusts that and would fail later, once the update integrates), and the update is
 * applied to an empty document (what depends on content it lacks waits there as pending) — unless nothing of it
 * could integrate there: no struct at clock 0 (Yjs holds a client's structs from the first one past the
 * document's clock for that client, 0 there) and nothing of length 0 (re-encoding a zero-length struct or
 * deletion as pending throws). Almost every update of a session, a typed character, is such an update: applying
 * it would only decode it again, at more cost than the rest of its handling on the event loop.
 * test/sessions/update-validation.test.ts compares the verdicts with applying every update.
 */
export function assertValidUpdate(update: Uint8Array): void {
  try {
    const { structs, ds } = Y.decodeUpdate(update);
    let mayIntegrate = false;
    for (const struct of structs) {
      // a Skip is a gap, ignored when applied
      if (struct instanceof Y.Skip) continue;
      if (struct.id.clock === 0 || struct.length === 0) mayIntegrate = true;
      if (!(struct instanceof Y.Item)) continue;
      const { client, clock } = struct.id;
      const parent = struct.parent instanceof Y.ID ? struct.parent : null;
      for (const ref of [struct.origin, struct.rightOrigin, parent]) {
        if (ref && ref.client === client && ref.clock >= clock) throw new Error("an item refers to its own future");
      }
    }
    for (const deletions of ds.clients.values()) if (deletions.some((d) => d.len === 0)) mayIntegrate = true;
    if (!mayIntegrate) return;
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
