import type { DataSource, EntityManager } from "typeorm";
import * as Y from "yjs";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { DocumentStore, StoredDocument } from "./document-store.js";
import { returnedRows } from "../db/returning.js";
import { compactUpdates, toBytes, toParam } from "./ydoc.js";

export interface DocumentStoreOptions {
  logger?: Logger;
  /** Log rows (appended by this node since its last compaction of a session, or seen by a load) that trigger a compaction. */
  compactAfter?: number;
  /** Concurrent INSERT statements; everything arriving meanwhile waits and goes into the next one. */
  maxInflight?: number;
  /** Most updates in one INSERT. */
  maxBatch?: number;
  /** Most bytes of updates in one INSERT. */
  maxBatchBytes?: number;
  /** Told after each committed INSERT how many updates it stored (metrics). */
  onInsert?: (stored: number) => void;
}

interface PendingAppend {
  sessionId: string;
  update: Uint8Array;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const EMPTY_DOC = Y.encodeStateAsUpdate(new Y.Doc());

/**
 * The DocumentStore on PostgreSQL or PGlite through TypeORM. Appends are group-committed: at most
 * `maxInflight` INSERTs are in flight; updates arriving meanwhile queue, then go out together in one multi-row
 * INSERT (one commit), and each caller's promise resolves only after that commit. A session whose log grows past `compactAfter` rows is
 * compacted in the background.
 */
export function createTypeormDocumentStore(
  db: DataSource,
  opts: DocumentStoreOptions = {},
): DocumentStore & { stats(): { appended: number; inserts: number } } {
  const compactAfter = opts.compactAfter ?? 100;
  const maxInflight = opts.maxInflight ?? 2;
  const maxBatch = opts.maxBatch ?? 500;
  const maxBatchBytes = opts.maxBatchBytes ?? 4 * 1024 * 1024;
  const { logger } = opts;

  let queue: PendingAppend[] = [];
  let inflight = 0;
  let scheduled = false;
  const idle = new Set<() => void>();
  const appendedSince = new Map<string, number>();
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
    const values = batch.map((_, i) => `($${2 * i + 1}::uuid, $${2 * i + 2}::bytea)`).join(", ");
    const params = batch.flatMap((p) => [p.sessionId, toParam(p.update)]);
    try {
      // the join admits only live sessions, in the same statement (and commit) as the write
      const rows = returnedRows<{ session_id: string }>(
        await db.query(
          `INSERT INTO doc_updates (session_id, update)
           SELECT v.sid, v.u FROM (VALUES ${values}) AS v(sid, u)
             JOIN live_sessions s ON s.id = v.sid AND s.status = 'live'
           RETURNING session_id`,
          params,
        ),
      );
      counters.inserts++;
      counters.appended += rows.length;
      opts.onInsert?.(rows.length);
      const stored = new Set(rows.map((r) => r.session_id));
      for (const p of batch) {
        if (stored.has(p.sessionId)) p.resolve();
        else p.reject(new AppError("FORBIDDEN", "the session is not live"));
      }
      for (const r of rows) {
        const n = (appendedSince.get(r.session_id) ?? 0) + 1;
        if (n >= compactAfter) {
          appendedSince.delete(r.session_id);
          scheduleCompaction(r.session_id);
        } else appendedSince.set(r.session_id, n);
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

  // ------------------------------------------------------------ compaction (background, one at a time)
  const toCompact = new Set<string>();
  let compacting: Promise<void> | null = null;
  let closed = false;

  function scheduleCompaction(sessionId: string) {
    if (closed) return;
    toCompact.add(sessionId);
    compacting ??= (async () => {
      while (toCompact.size > 0 && !closed) {
        const [next] = toCompact;
        toCompact.delete(next);
        try {
          await store.compact(next);
        } catch (err) {
          logger?.warn(
            { err: (err as Error).message, sessionId: next },
            "document compaction failed; retried on a later trigger",
          );
        }
      }
      compacting = null;
    })();
  }

  const store = {
    /** Updates stored and INSERT statements used, since start (batching makes the second smaller). */
    stats: () => ({ ...counters }),

    async create(manager: EntityManager, sessionId: string, initial: Uint8Array | null): Promise<void> {
      await manager.query(`INSERT INTO doc_snapshots (session_id, state, up_to_id) VALUES ($1, $2, 0)`, [
        sessionId,
        toParam(EMPTY_DOC),
      ]);
      if (initial) {
        await manager.query(`INSERT INTO doc_updates (session_id, update) VALUES ($1, $2)`, [sessionId, toParam(initial)]);
      }
    },

    append(sessionId: string, update: Uint8Array): Promise<void> {
      if (closed) return Promise.reject(new AppError("UNAVAILABLE", "the server is shutting down"));
      return new Promise<void>((resolve, reject) => {
        queue.push({ sessionId, update, resolve, reject });
        schedule();
      });
    },

    async load(sessionId: string): Promise<StoredDocument> {
      // one statement, so a compaction committing meanwhile is seen either entirely or not at all
      const rows: { part: number; data: unknown; at: Date | string }[] = await db.query(
        `SELECT 0 AS part, state AS data, updated_at AS at, 0::bigint AS seq FROM doc_snapshots WHERE session_id = $1
         UNION ALL
         SELECT 1, update, created_at, id FROM doc_updates WHERE session_id = $1
         ORDER BY part, seq`,
        [sessionId],
      );
      if (rows.length === 0) return { state: EMPTY_DOC, updatedAt: null, logRows: 0 };
      const parts = rows.map((r) => toBytes(r.data));
      const updatedAt = new Date(Math.max(...rows.map((r) => new Date(r.at).getTime())));
      const logRows = rows.filter((r) => Number(r.part) === 1).length;
      if (logRows > compactAfter) scheduleCompaction(sessionId);
      return { state: parts.length === 1 ? parts[0] : Y.mergeUpdates(parts), updatedAt, logRows };
    },

    compact(sessionId: string): Promise<number> {
      return db.transaction(async (m) => {
        // the snapshot row lock serialises compactions of one session across nodes
        const [snapshot] = returnedRows<{ state: unknown }>(
          await m.query(`SELECT state FROM doc_snapshots WHERE session_id = $1 FOR UPDATE`, [sessionId]),
        );
        if (!snapshot) return 0;
        // fold exactly the rows this statement deletes: an append committing meanwhile stays in the log
        const rows = returnedRows<{ log_id: string; data: unknown; at: Date | string }>(
          await m.query(
            `WITH folded AS (DELETE FROM doc_updates WHERE session_id = $1 RETURNING id, update, created_at)
             SELECT id::text AS log_id, update AS data, created_at AS at FROM folded ORDER BY id`,
            [sessionId],
          ),
        );
        if (rows.length === 0) return 0;
        const state = compactUpdates([toBytes(snapshot.state), ...rows.map((r) => toBytes(r.data))]);
        const last = rows[rows.length - 1];
        const newest = new Date(Math.max(...rows.map((r) => new Date(r.at).getTime())));
        await m.query(
          `UPDATE doc_snapshots SET state = $2, up_to_id = GREATEST(up_to_id, $3::bigint), updated_at = GREATEST(updated_at, $4)
            WHERE session_id = $1`,
          [sessionId, toParam(state), last.log_id, newest],
        );
        return rows.length;
      });
    },

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
      await compacting;
    },
  };
  return store;
}
