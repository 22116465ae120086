/**
 * Documents held as Y.Docs in the thread that encodes join states (doc-pool.ts gives this work one thread, so
 * its calls find what earlier ones left). A join state costs then the updates since the last call, applied,
 * plus one encoding — not a merge that decodes and re-encodes the whole document each time: on a 1 MB document
 * of a few large inserts, about 1 ms instead of 4. Kept without garbage collection, so a state is what merging
 * every update would give. A held document is dropped when unused for a while, least recently used first over a
 * budget that counts its encoded bytes and its structs (a Y.Doc of many small items takes ~200 bytes an item).
 */
import * as Y from "yjs";

/** What `snapshot` is asked: the caller's document as `base` (covering its first `baseSeq` updates) plus `tail`. */
export interface SnapshotInput {
  /** The caller's document, one key per loaded copy: a reload gets a new key. */
  key: string;
  /** How many updates `base` holds (counted since the caller loaded the document). */
  baseSeq: number;
  /** The caller's base, sent only when a call without it was answered `null`. */
  base: Uint8Array | null;
  /** The updates after `base`, in the caller's order: tail[i] is update number baseSeq + 1 + i. */
  tail: Uint8Array[];
  /** What the thread may keep, in cost units (encoded bytes plus BYTES_PER_STRUCT a struct); default 128 MB. */
  budget?: number;
}

interface Held {
  doc: Y.Doc;
  /** Updates the doc holds, in the caller's count. */
  seq: number;
  cost: number;
  lastUsed: number;
}

const DEFAULT_BUDGET = 128 * 1024 * 1024;
const IDLE_MS = 60_000;
const BYTES_PER_STRUCT = 200;
const held = new Map<string, Held>();

function structs(doc: Y.Doc): number {
  let n = 0;
  for (const list of doc.store.clients.values()) n += list.length;
  return n;
}

function evict(now: number, keep: string, budget: number) {
  let total = 0;
  for (const [key, h] of held) {
    if (key !== keep && now - h.lastUsed > IDLE_MS) forget(key);
    else total += h.cost;
  }
  // Map order is least recently used first: each call moves its key to the end
  for (const [key, h] of held) {
    if (total <= budget) break;
    if (key === keep) continue;
    total -= h.cost;
    forget(key);
  }
}

/** Drops the document held under `key`, if any (evicted here, or its caller dropped it). */
export function forget(key: string): void {
  held.get(key)?.doc.destroy();
  held.delete(key);
}

/**
 * One update holding the whole document (`base` and `tail`), from the held Y.Doc. `null` when this thread does
 * not hold the document as of `baseSeq` or later (never asked, dropped, or it missed updates now folded into
 * `base`): the caller asks again with `base`.
 */
export function snapshot(input: SnapshotInput): Uint8Array | null {
  const now = Date.now();
  let h = held.get(input.key);
  const last = input.baseSeq + input.tail.length;
  if (h && (h.seq < input.baseSeq || h.seq > last)) {
    forget(input.key);
    h = undefined;
  }
  if (!h) {
    if (!input.base) return null;
    const doc = new Y.Doc({ gc: false });
    Y.applyUpdate(doc, input.base);
    h = { doc, seq: input.baseSeq, cost: 0, lastUsed: now };
  }
  const fresh = input.tail.slice(h.seq - input.baseSeq);
  const doc = h.doc;
  if (fresh.length > 0) Y.transact(doc, () => fresh.forEach((u) => Y.applyUpdate(doc, u)));
  h.seq = last;
  const state = Y.encodeStateAsUpdate(doc);
  h.cost = state.byteLength + structs(doc) * BYTES_PER_STRUCT;
  h.lastUsed = now;
  held.delete(input.key);
  held.set(input.key, h);
  evict(now, input.key, input.budget ?? DEFAULT_BUDGET);
  return state;
}

/** Documents held (tests). */
export const heldCount = () => held.size;
