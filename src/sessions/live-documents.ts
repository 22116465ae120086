import { randomUUID } from "node:crypto";
import * as Y from "yjs";
import { AppError } from "../errors.js";
import type { DocPool } from "./doc-pool.js";
import type { DocumentStore, StoredUpdate } from "./document-store.js";

/**
 * One session's document held by this node: encoded Yjs updates on this thread, never a Y.Doc (a few bytes per item,
 * not a heap graph); the pool's holder thread keeps one under `key`, within its own budget (doc-holder.ts).
 */
interface Entry {
  sessionId: string;
  /** This loaded copy of the document (the pool's thread holds its Y.Doc under it: see doc-holder.ts). */
  key: string;
  /** One update holding the document as of some point: the last merge, or the loaded snapshot. */
  base: Uint8Array;
  /** How many of the updates counted since the load `base` holds. */
  baseSeq: number;
  /** Updates applied since `base`, oldest first. */
  tail: Uint8Array[];
  tailBytes: number;
  /** Ids of every log row the entry holds: it equals the stored document when the session has as many rows. */
  ids: Set<string>;
  /** The largest of `ids` ("0" when none). */
  maxId: string;
  updatedAt: Date | null;
  lastUsed: number;
  /** Bytes of updates accepted for a write and not yet committed (counted against the size limit). */
  reserved: number;
  /** Serialises the merges of this entry. */
  merging: Promise<void>;
  /** The fold queued behind the running one, not started yet: later callers share it. */
  queued: { how: "merge" | "compact"; done: Promise<void> } | null;
  /** `base` is a garbage-collected encoding with nothing in `tail`: its length is the document's exact size. */
  exact: boolean;
  text: { base: Uint8Array; value: string } | null;
  /** The state vector of `base`, encoded and decoded, once computed. */
  vector: { base: Uint8Array; encoded: Uint8Array; clocks: Map<number, number> } | null;
}

export interface LiveDocumentsOptions {
  store: DocumentStore;
  pool: DocPool;
  /** The largest encoded document; 0 = no limit. */
  maxBytes: number;
  /**
   * Whether another node may have written updates this node has not applied (cluster mode): then every answer
   * first compares the session's row count with what memory holds, and fetches what is missing.
   */
  verify: boolean;
  /** Local sockets in the session's room (documents nobody on this node joined are the first dropped). */
  localSockets: (sessionId: string) => number;
  /** Drop documents unused for this long with nobody on this node in the session. */
  idleMs?: number;
  /** Bytes of documents kept; beyond it the least recently used are dropped. */
  budgetBytes?: number;
  /**
   * What the pool's holder thread may keep of these documents as Y.Docs (encoded bytes plus 200 bytes a struct;
   * default 128 MB); beyond it the least recently used are dropped there and rebuilt from `base` when needed.
   */
  holderBudgetBytes?: number;
}

/** An update carrying nothing. */
const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());

/** A tail longer than this is merged into the base in the background, so answers stay one merge away. */
const MAX_TAIL_UPDATES = 256;
const MAX_TAIL_BYTES = 1024 * 1024;

/**
 * The documents of the sessions this node serves, loaded once from the store and shared by every local socket.
 * Updates are applied after their commit, from local writes and from other nodes (`apply`). Joins, `doc:sync`
 * and `GET …/document` answer from memory; whole-document work (merge, diff, text) runs in the worker pool.
 */
export function createLiveDocuments(opts: LiveDocumentsOptions) {
  const { store, pool, maxBytes, verify, localSockets } = opts;
  const idleMs = opts.idleMs ?? 60_000;
  const budgetBytes = opts.budgetBytes ?? 256 * 1024 * 1024;
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<Entry>>();

  const sizeOf = (e: Entry) => e.base.byteLength + e.tailBytes;

  async function load(sessionId: string): Promise<Entry> {
    const loaded = await store.load(sessionId);
    const [base, ...tail] = loaded.parts;
    const entry: Entry = {
      sessionId,
      // unique across every instance: nodes running in one process (tests) share one holder
      key: randomUUID(),
      base,
      baseSeq: 0,
      tail,
      tailBytes: tail.reduce((n, u) => n + u.byteLength, 0),
      ids: new Set(loaded.rowIds),
      maxId: loaded.rowIds.reduce((max, id) => (BigInt(id) > BigInt(max) ? id : max), "0"),
      updatedAt: loaded.updatedAt,
      lastUsed: Date.now(),
      reserved: 0,
      merging: Promise.resolve(),
      queued: null,
      exact: false,
      text: null,
      vector: null,
    };
    entries.set(sessionId, entry);
    return entry;
  }

  /** The entry, loaded once however many callers ask at the same time. */
  function entry(sessionId: string): Promise<Entry> {
    const held = entries.get(sessionId);
    if (held) {
      held.lastUsed = Date.now();
      return Promise.resolve(held);
    }
    let pending = loading.get(sessionId);
    if (!pending) {
      pending = load(sessionId).finally(() => loading.delete(sessionId));
      loading.set(sessionId, pending);
    }
    return pending;
  }

  function push(e: Entry, row: StoredUpdate, update: Uint8Array) {
    if (e.ids.has(row.id)) return;
    e.ids.add(row.id);
    if (BigInt(row.id) > BigInt(e.maxId)) e.maxId = row.id;
    e.tail.push(update);
    e.tailBytes += update.byteLength;
    e.exact = false;
    if (!e.updatedAt || row.createdAt > e.updatedAt) e.updatedAt = row.createdAt;
    if (e.tail.length > MAX_TAIL_UPDATES || e.tailBytes > MAX_TAIL_BYTES) void fold(e, "merge").catch(() => undefined);
  }

  /**
   * Folds the tail into the base in the worker pool (`compact` also garbage-collects: an exact size). A merge is
   * encoded from the Y.Doc the pool's thread holds for this entry, sent only the tail (and the base when the thread
   * lacks it). A fold that is queued and not started yet is shared: it takes the whole tail when it starts, so it
   * holds every update pushed before the call. Joins waiting on a busy pool thus cost one fold per document.
   */
  function fold(e: Entry, how: "merge" | "compact"): Promise<void> {
    if (e.queued && (e.queued.how === how || e.queued.how === "compact")) return e.queued.done;
    const run = async () => {
      if (e.queued === queued) e.queued = null;
      if (e.tail.length === 0 && (how === "merge" || e.exact)) return;
      const n = e.tail.length;
      const tail = e.tail.slice(0, n);
      const merged = how === "merge" ? await snapshot(e, tail) : await pool.compact([e.base, ...tail]);
      e.base = merged;
      e.baseSeq += n;
      const rest = e.tail.slice(n);
      e.tail = rest;
      e.tailBytes = rest.reduce((sum, u) => sum + u.byteLength, 0);
      e.exact = how === "compact" && rest.length === 0;
    };
    e.merging = e.merging.then(run, run);
    const queued = { how, done: e.merging };
    e.queued = queued;
    return e.merging;
  }

  /** Drops the entry, and its Y.Doc in the pool's holder thread. */
  function forget(e: Entry) {
    entries.delete(e.sessionId);
    pool.forget(e.key).catch(() => undefined);
  }

  /** The base with `tail` applied, from the pool's held Y.Doc (sent the base only if its thread lacks it). */
  async function snapshot(e: Entry, tail: Uint8Array[]): Promise<Uint8Array> {
    const input = { key: e.key, baseSeq: e.baseSeq, tail, budget: opts.holderBudgetBytes };
    const state = (await pool.snapshot({ ...input, base: null })) ?? (await pool.snapshot({ ...input, base: e.base }));
    if (!state) throw new Error("the document pool answered without a state although sent the base");
    return state;
  }

  /** The entry, holding every update the store has committed (reloading what this node may have missed). */
  async function fresh(sessionId: string): Promise<Entry> {
    const e = await entry(sessionId);
    if (!verify) return e;
    // every id held is at most maxId: the rows after it are missing, and as many rows up to it as held mean no
    // other row is (one committed out of id order, or applied while the query ran, takes the full comparison)
    const [maxId, held] = [e.maxId, e.ids.size];
    const { upTo, rows } = await store.after(sessionId, maxId);
    for (const row of rows) push(e, row, row.update);
    if (upTo > held) {
      const missing = (await store.rowIds(sessionId)).filter((id) => !e.ids.has(id));
      for (const row of await store.rows(sessionId, missing)) push(e, row, row.update);
    }
    return e;
  }

  /** One update holding the whole document. */
  async function state(sessionId: string): Promise<{ state: Uint8Array; entry: Entry }> {
    const e = await fresh(sessionId);
    if (e.tail.length > 0) await fold(e, "merge");
    return { state: e.base, entry: e };
  }

  return {
    state: async (sessionId: string) => (await state(sessionId)).state,

    /**
     * `doc:sync`: what a peer at `stateVector` lacks, and this document's state vector. A peer that has everything
     * or nothing (a reconnect after a quiet spell, a fresh client) is answered without diffing the document.
     */
    async diff(sessionId: string, stateVector: Uint8Array) {
      const { state: s, entry: e } = await state(sessionId);
      if (e.vector?.base !== s) {
        const encoded = await pool.stateVector(s);
        e.vector = { base: s, encoded, clocks: Y.decodeStateVector(encoded) };
      }
      const ours = e.vector;
      const theirs = Y.decodeStateVector(stateVector);
      if (theirs.size === 0) return { update: s, stateVector: ours.encoded };
      if ([...ours.clocks].every(([client, clock]) => (theirs.get(client) ?? 0) >= clock)) {
        return { update: EMPTY_UPDATE, stateVector: ours.encoded };
      }
      return pool.diff(s, stateVector);
    },

    /** The `code` text and when the document last changed. */
    async text(sessionId: string): Promise<{ text: string; updatedAt: Date | null }> {
      const { state: s, entry: e } = await state(sessionId);
      if (e.text?.base !== s) e.text = { base: s, value: await pool.text([s]) };
      return { text: e.text.value, updatedAt: e.updatedAt };
    },

    /**
     * Admits a write of `bytes` against the size limit (PAYLOAD_TOO_LARGE when the document would grow past it)
     * and holds those bytes until `release`. The estimate (base plus tail) never undercounts; near the limit
     * it is replaced once by the exact, garbage-collected size before refusing.
     */
    async admit(sessionId: string, bytes: number): Promise<() => void> {
      const e = await entry(sessionId);
      const over = () => maxBytes > 0 && sizeOf(e) + e.reserved + bytes > maxBytes;
      if (over() && !e.exact) await fold(e, "compact");
      if (over()) throw new AppError("PAYLOAD_TOO_LARGE", `the document would grow past ${maxBytes} bytes`);
      e.reserved += bytes;
      let held = true;
      return () => {
        if (held) e.reserved -= bytes;
        held = false;
      };
    },

    /** A committed update (written here or by another node): applied if this node holds the document. */
    apply(sessionId: string, row: StoredUpdate, update: Uint8Array) {
      const e = entries.get(sessionId);
      if (e) push(e, row, update);
    },

    /** Drops documents idle with nobody on this node in their session, then the least recently used over the budget. */
    sweep(now = Date.now()) {
      for (const [id, e] of entries) {
        if (now - e.lastUsed > idleMs && localSockets(id) === 0 && e.reserved === 0) forget(e);
      }
      let total = 0;
      for (const e of entries.values()) total += sizeOf(e);
      if (total <= budgetBytes) return;
      const byAge = [...entries.values()].sort(
        (a, b) => Number(localSockets(a.sessionId) > 0) - Number(localSockets(b.sessionId) > 0) || a.lastUsed - b.lastUsed,
      );
      for (const e of byAge) {
        if (total <= budgetBytes) break;
        if (e.reserved > 0) continue;
        forget(e);
        total -= sizeOf(e);
      }
    },

    /** Documents held in memory (the `cohort_live_documents_in_memory` gauge). */
    size: () => entries.size,
    /** Whether this node holds the session's document (tests, metrics). */
    holds: (sessionId: string) => entries.has(sessionId),
  };
}

export type LiveDocuments = ReturnType<typeof createLiveDocuments>;
