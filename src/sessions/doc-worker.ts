/**
 * The heavy Yjs work on whole documents, run in a worker thread (see doc-pool.ts) so that merging or
 * encoding a document of megabytes never stalls the event loop that answers every other socket.
 * Pure functions of bytes, except `snapshot` and `forget`: their documents stay in this thread between calls
 * (doc-holder.ts).
 */
import { move } from "piscina";
import * as Y from "yjs";
import { forget, snapshot, type SnapshotInput } from "./doc-holder.js";
import { TEXT_NAME } from "./ydoc.js";

export { forget, snapshot };

/** `snapshot` run by the pool: the state is transferred to the caller, not copied. */
export function snapshotTransferred(input: SnapshotInput): ReturnType<typeof move> | null {
  const state = snapshot(input);
  return state === null ? null : move(state);
}

/** Parts with empty ones left out; an update carrying nothing encodes as two zero bytes. */
const nonEmpty = (parts: Uint8Array[]) => parts.filter((p) => p.byteLength > 2);

/** One update holding every part (no garbage collection: cheap, and exact for the state it describes). */
export function merge(parts: Uint8Array[]): Uint8Array {
  const useful = nonEmpty(parts);
  if (useful.length === 0) return Y.encodeStateAsUpdate(new Y.Doc());
  return useful.length === 1 ? useful[0] : Y.mergeUpdates(useful);
}

function docOf(parts: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, merge(parts));
  return doc;
}

/** The parts folded into one update with deleted content garbage-collected (what a snapshot stores). */
export function compact(parts: Uint8Array[]): Uint8Array {
  const doc = docOf(parts);
  try {
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/** The `code` text of the document the parts make. */
export function text(parts: Uint8Array[]): string {
  const doc = docOf(parts);
  try {
    return doc.getText(TEXT_NAME).toString();
  } finally {
    doc.destroy();
  }
}

/** The state vector of an update. */
export function stateVector(state: Uint8Array): Uint8Array {
  return Y.encodeStateVectorFromUpdate(state);
}

/** What a peer at `stateVector` lacks of `state`, and the state vector of `state`. */
export function diff(input: { state: Uint8Array; stateVector: Uint8Array }): { update: Uint8Array; stateVector: Uint8Array } {
  return {
    update: Y.diffUpdate(input.state, input.stateVector),
    stateVector: Y.encodeStateVectorFromUpdate(input.state),
  };
}
