import { setTimeout as sleep } from "node:timers/promises";
import type { DataSource } from "typeorm";
import type { Logger } from "../logger.js";
import type { DocPool } from "./doc-pool.js";
import { returnedRows } from "../db/returning.js";
import { toBytes, toParam } from "./ydoc.js";

/** How long a compaction's claim on a session lasts if its node dies before releasing it. */
const CLAIM_SECONDS = 60;

/**
 * Folds the log rows of `sessionId` not yet in its snapshot into it, marking them `compacted` (never deleting
 * them). The database is held only for short statements: the merge runs in the worker pool between them, so on
 * PGlite (one session for everything) no query waits for it. One runner per session across the cluster: a
 * claim taken with a row-locking UPDATE, expiring after CLAIM_SECONDS; the snapshot's `version` makes the final
 * write a no-op if another compaction committed anyway. Returns how many rows it folded.
 */
export async function compactDocument(
  db: DataSource,
  pool: DocPool,
  sessionId: string,
  onSnapshot?: (sessionId: string, bytes: number) => void,
): Promise<number> {
  const claimed = returnedRows<{ version: number }>(
    await db.query(
      `UPDATE doc_snapshots SET compacting_until = now() + make_interval(secs => $2)
        WHERE session_id = $1 AND (compacting_until IS NULL OR compacting_until < now())
        RETURNING version`,
      [sessionId, CLAIM_SECONDS],
    ),
  );
  if (claimed.length === 0) return 0;
  try {
    // one statement: the snapshot and exactly the rows not folded into it, as of one moment
    const rows: { part: number; data: unknown; seq: string; at: Date | string; version: number }[] = await db.query(
      `SELECT 0 AS part, state AS data, '0' AS seq, updated_at AS at, version FROM doc_snapshots WHERE session_id = $1
       UNION ALL
       SELECT 1, update, id::text, created_at, 0 FROM doc_updates WHERE session_id = $1 AND NOT compacted
       ORDER BY part, seq`,
      [sessionId],
    );
    const [snapshot, ...log] = rows;
    if (!snapshot || Number(snapshot.part) !== 0 || log.length === 0) return 0;
    // ids ordered as numbers (the statement ordered them as text)
    log.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
    const state = await pool.compact([toBytes(snapshot.data), ...log.map((r) => toBytes(r.data))]);
    const ids = log.map((r) => r.seq);
    const newest = new Date(Math.max(...log.map((r) => new Date(r.at).getTime())));
    return await db.transaction(async (m) => {
      const written = returnedRows<{ session_id: string }>(
        await m.query(
          `UPDATE doc_snapshots SET state = $2, version = version + 1, compacting_until = NULL,
                  up_to_id = GREATEST(up_to_id, $3::bigint), updated_at = GREATEST(updated_at, $4)
            WHERE session_id = $1 AND version = $5
            RETURNING session_id`,
          [sessionId, toParam(state), ids[ids.length - 1], newest, snapshot.version],
        ),
      );
      if (written.length === 0) return 0;
      onSnapshot?.(sessionId, state.byteLength);
      await m.query(`UPDATE doc_updates SET compacted = true WHERE session_id = $1 AND id = ANY($2::bigint[])`, [sessionId, ids]);
      return ids.length;
    });
  } finally {
    await db
      .query(`UPDATE doc_snapshots SET compacting_until = NULL WHERE session_id = $1 AND compacting_until IS NOT NULL`, [
        sessionId,
      ])
      .catch(() => undefined);
  }
}

/**
 * Background compactions on this node, one at a time, each session queued at most once, each starting `delayMs`
 * after it was scheduled. A session's log passes its threshold when the session starts (its initial code, then the
 * first keystrokes while the members join), and a compaction rewrites the whole snapshot: it reads, merges and
 * writes the document, and would compete with those joins for the same cores. Meanwhile a load merges a few more
 * log rows; nothing else waits for it. Closing drops what has not started (a later write or load schedules it again).
 */
export function createCompactionQueue(
  db: DataSource,
  pool: DocPool,
  opts: {
    logger?: Logger;
    delayMs?: number;
    onCompacted?: (rows: number) => void;
    onSnapshot?: (sessionId: string, bytes: number) => void;
  } = {},
) {
  const { logger } = opts;
  const delayMs = opts.delayMs ?? 0;
  /** Sessions to compact and when, in the order scheduled (so the first is due first). */
  const due = new Map<string, number>();
  let running: Promise<void> | null = null;
  let closed = false;
  /** Ends the wait of a compaction not yet due when the queue closes. */
  const closing = new AbortController();

  async function runDue() {
    while (!closed) {
      const first = due.entries().next();
      if (first.done) break;
      const [next, at] = first.value;
      if (at > Date.now()) {
        // unreferenced: a waiting compaction does not keep the process alive
        await sleep(at - Date.now(), undefined, { ref: false, signal: closing.signal }).catch(() => undefined);
        continue;
      }
      due.delete(next);
      try {
        const folded = await compactDocument(db, pool, next, opts.onSnapshot);
        if (folded > 0) opts.onCompacted?.(folded);
      } catch (err) {
        logger?.warn({ err: (err as Error).message, sessionId: next }, "document compaction failed; retried on a later trigger");
      }
    }
    running = null;
  }

  return {
    schedule(sessionId: string) {
      if (closed || due.has(sessionId)) return;
      due.set(sessionId, Date.now() + delayMs);
      running ??= runDue();
    },
    async close() {
      closed = true;
      due.clear();
      closing.abort();
      await running;
    },
  };
}
