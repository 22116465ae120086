import type { DataSource, EntityManager } from "typeorm";
import * as Y from "yjs";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import { createCompactionQueue, compactDocument } from "./document-compaction.js";
import type { DocumentStore, LoadedDocument, LogRow, StoredUpdate } from "./document-store.js";
import { inlineDocPool, type DocPool } from "./doc-pool.js";
import { returnedRows } from "../db/returning.js";
import { toBytes, toParam } from "./ydoc.js";

export interface DocumentStoreOptions {
  logger?: Logger;
  /** Where compaction merges documents (default: inline, for tests of this store alone). */
  pool?: DocPool;
  /** Log rows (appended by this node since its last compaction of a session, or seen by a load) that trigger a compaction. */
  compactAfter?: number;
  /**
   * Besides the rows, the bytes appended since must reach this share of the session's snapshot: rewriting a 4 MB
   * snapshot after 100 one-character updates would cost more than it saves (on PGlite, writing 4 MB of bytea holds
   * the event loop for about half a second).
   */
  compactBytesRatio?: number;
  /** How long a background compaction waits after its trigger (document-compaction.ts); default 0. */
  compactDelayMs?: number;
  /** Concurrent INSERT statements; everything arriving meanwhile waits and goes into the next one. */
  maxInflight?: number;
  /** Most updates in one INSERT. */
  maxBatch?: number;
  /** Most bytes of updates in one INSERT. */
  maxBatchBytes?: number;
  /** Told after each background compaction that folded rows, how many (metrics). */
  onCompacted?: (rows: number) => void;
  /** Told after each committed INSERT how many updates it stored (metrics). */
  onInsert?: (stored: number) => void;
}

interface PendingAppend {
  sessionId: string;
  update: Uint8Array;
  userId: string;
  resolve: (stored: StoredUpdate) => void;
  reject: (err: unknown) => void;
}

const EMPTY_DOC = Y.encodeStateAsUpdate(new Y.Doc());
const byId = (a: { id: string }, b: { id: string }) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

/**
 * The DocumentStore on PostgreSQL or PGlite through TypeORM. Appends are group-committed: at most
 * `maxInflight` INSERTs are in flight; updates arriving meanwhile queue, then go out together in one multi-row
 * INSERT (one commit), and each caller's promise resolves only after that commit. A session whose log grows past
 * `compactAfter` rows is compacted in the background.
 */
export function createTypeormDocumentStore(
  db: DataSource,
  opts: DocumentStoreOptions = {},
): DocumentStore & { stats(): { appended: number; inserts: number } } {
  const compactAfter = opts.compactAfter ?? 100;
  const compactBytesRatio = opts.compactBytesRatio ?? 0.5;
  const maxInflight = opts.maxInflight ?? 2;
  const maxBatch = opts.maxBatch ?? 500;
  const maxBatchBytes = opts.maxBatchBytes ?? 4 * 1024 * 1024;
  const pool = opts.pool ?? inlineDocPool();

  let queue: PendingAppend[] = [];
  let inflight = 0;
  let scheduled = false;
  let closed = false;
  const idle = new Set<() => void>();
  const appendedSince = new Map<string, { rows: number; bytes: number }>();
  /** The size of each session's snapshot as last seen (a load or a compaction). */
  const snapshotBytes = new Map<string, number>();
  const onSnapshot = (sessionId: string, bytes: number) => snapshotBytes.set(sessionId, bytes);
  const compactions = createCompactionQueue(db, pool, {
    logger: opts.logger,
    delayMs: opts.compactDelayMs,
    onCompacted: opts.onCompacted,
    onSnapshot,
  });
  const counters = { appended: 0, inserts: 0 };

  function takeBatch(): PendingAppend[] {
    let bytes = 0;
    let n = 0;
    while (n < queue.length && n < maxBatch) {
      bytes += queue[n].update.byteLength;
      if (n > 0 && bytes > maxBatchBytes) break;
      n++;
    }
    const batch = queue.slice(0, n);
    queue = queue.slice(n);
    return batch;
  }

  async function write(batch: PendingAppend[]) {
    const values = batch.map((_, i) => `($${3 * i + 1}::uuid, $${3 * i + 2}::bytea, $${3 * i + 3}::uuid, ${i})`).join(", ");
    const params = batch.flatMap((p) => [p.sessionId, toParam(p.update), p.userId]);
    try {
      // the join admits only live sessions, in the same statement (and commit) as the write; rows are inserted
      // in batch order, so a session's ids ascend in the order its updates were queued
      const rows = returnedRows<{ id: string; session_id: string; created_at: Date | string }>(
        await db.query(
          `INSERT INTO doc_updates (session_id, update, user_id)
           SELECT v.sid, v.u, v.uid FROM (VALUES ${values}) AS v(sid, u, uid, ord)
             JOIN live_sessions s ON s.id = v.sid AND s.status = 'live'
           ORDER BY v.ord
           RETURNING id::text AS id, session_id, created_at`,
          params,
        ),
      );
      counters.inserts++;
      counters.appended += rows.length;
      opts.onInsert?.(rows.length);
      const stored = new Map<string, StoredUpdate[]>();
      for (const r of rows) {
        const list = stored.get(r.session_id) ?? [];
        list.push({ id: r.id, createdAt: new Date(r.created_at) });
        stored.set(r.session_id, list);
      }
      for (const list of stored.values()) list.sort(byId);
      for (const p of batch) {
        const next = stored.get(p.sessionId)?.shift();
        if (next) p.resolve(next);
        else p.reject(new AppError("FORBIDDEN", "the session is not live"));
      }
      const bytesOf = new Map<string, number>();
      for (const p of batch) bytesOf.set(p.sessionId, (bytesOf.get(p.sessionId) ?? 0) + p.update.byteLength);
      for (const sessionId of stored.keys()) {
        const since = appendedSince.get(sessionId) ?? { rows: 0, bytes: 0 };
        since.rows += rows.filter((r) => r.session_id === sessionId).length;
        since.bytes += bytesOf.get(sessionId) ?? 0;
        if (since.rows >= compactAfter && since.bytes >= (snapshotBytes.get(sessionId) ?? 0) * compactBytesRatio) {
          appendedSince.delete(sessionId);
          compactions.schedule(sessionId);
        } else appendedSince.set(sessionId, since);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  function pump() {
    scheduled = false;
    while (inflight < maxInflight && queue.length > 0) {
      const batch = takeBatch();
      inflight++;
      void write(batch).finally(() => {
        inflight--;
        if (queue.length > 0) schedule();
        else if (inflight === 0) for (const done of idle) done();
      });
    }
  }

  function schedule() {
    if (scheduled || inflight >= maxInflight) return;
    scheduled = true;
    // gather every update that arrived in this turn of the event loop into one INSERT
    setImmediate(pump);
  }

  return {
    /** Updates stored and INSERT statements used, since start (batching makes the second smaller). */
    stats: () => ({ ...counters }),

    async create(manager: EntityManager, sessionId: string, initial: { update: Uint8Array; userId: string } | null) {
      await manager.query(`INSERT INTO doc_snapshots (session_id, state, up_to_id) VALUES ($1, $2, 0)`, [
        sessionId,
        toParam(EMPTY_DOC),
      ]);
      if (initial) {
        await manager.query(`INSERT INTO doc_updates (session_id, update, user_id) VALUES ($1, $2, $3)`, [
          sessionId,
          toParam(initial.update),
          initial.userId,
        ]);
      }
    },

    append(sessionId: string, update: Uint8Array, userId: string): Promise<StoredUpdate> {
      if (closed) return Promise.reject(new AppError("UNAVAILABLE", "the server is shutting down"));
      return new Promise<StoredUpdate>((resolve, reject) => {
        queue.push({ sessionId, update, userId, resolve, reject });
        schedule();
      });
    },

    async load(sessionId: string): Promise<LoadedDocument> {
      // one statement, so a compaction committing meanwhile is seen either entirely or not at all
      const rows: { part: number; data: unknown; at: Date | string; seq: string }[] = await db.query(
        `SELECT 0 AS part, state AS data, updated_at AS at, '0' AS seq FROM doc_snapshots WHERE session_id = $1
         UNION ALL
         SELECT 1, CASE WHEN compacted THEN NULL ELSE update END, created_at, id::text FROM doc_updates WHERE session_id = $1`,
        [sessionId],
      );
      if (rows.length === 0) return { parts: [EMPTY_DOC], rowIds: [], updatedAt: null, logRows: 0 };
      const log = rows.filter((r) => Number(r.part) === 1).map((r) => ({ ...r, id: r.seq }));
      log.sort(byId);
      const snapshot = rows.find((r) => Number(r.part) === 0);
      const unfolded = log.filter((r) => r.data !== null);
      const parts = [...(snapshot ? [toBytes(snapshot.data)] : []), ...unfolded.map((r) => toBytes(r.data))];
      const updatedAt = new Date(Math.max(...rows.map((r) => new Date(r.at).getTime())));
      if (snapshot) onSnapshot(sessionId, toBytes(snapshot.data).byteLength);
      const unfoldedBytes = unfolded.reduce((n, r) => n + toBytes(r.data).byteLength, 0);
      if (unfolded.length > compactAfter && unfoldedBytes >= (snapshotBytes.get(sessionId) ?? 0) * compactBytesRatio) {
        compactions.schedule(sessionId);
      }
      return { parts, rowIds: log.map((r) => r.id), updatedAt, logRows: unfolded.length };
    },

    async after(sessionId: string, afterId: string): Promise<{ upTo: number; rows: LogRow[] }> {
      // the count row has no id; the rest are the rows after `afterId`
      const found = (await db.query(
        `SELECT id::text AS id, update, created_at, NULL::int AS up_to FROM doc_updates WHERE session_id = $1 AND id > $2::bigint
         UNION ALL
         SELECT NULL, NULL, NULL, count(*)::int FROM doc_updates WHERE session_id = $1 AND id <= $2::bigint`,
        [sessionId, afterId],
      )) as { id: string | null; update: unknown; created_at: Date | string | null; up_to: number | string | null }[];
      const upTo = Number(found.find((r) => r.id === null)?.up_to ?? 0);
      const rows = found
        .filter((r) => r.id !== null)
        .map((r) => ({ id: r.id!, update: toBytes(r.update), createdAt: new Date(r.created_at!) }))
        .sort(byId);
      return { upTo, rows };
    },

    async rowIds(sessionId: string): Promise<string[]> {
      const rows = (await db.query(`SELECT id::text AS id FROM doc_updates WHERE session_id = $1`, [sessionId])) as {
        id: string;
      }[];
      return rows.map((r) => r.id).sort((a, b) => byId({ id: a }, { id: b }));
    },

    async rows(sessionId: string, ids: string[]): Promise<LogRow[]> {
      if (ids.length === 0) return [];
      const rows = (await db.query(
        `SELECT id::text AS id, update, created_at FROM doc_updates WHERE session_id = $1 AND id = ANY($2::bigint[])`,
        [sessionId, ids],
      )) as { id: string; update: unknown; created_at: Date | string }[];
      return rows.map((r) => ({ id: r.id, update: toBytes(r.update), createdAt: new Date(r.created_at) })).sort(byId);
    },

    compact: (sessionId: string) => compactDocument(db, pool, sessionId, onSnapshot),

    async close(): Promise<void> {
      if (inflight > 0 || queue.length > 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            idle.delete(done);
            resolve();
          };
          idle.add(done);
        });
      }
      closed = true;
      await compactions.close();
    },
  };
}
