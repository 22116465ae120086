import { createHmac, timingSafeEqual } from "node:crypto";
import type { DataSource } from "typeorm";
import { AppError } from "../errors.js";
import type { DocPool } from "./doc-pool.js";
import { iso } from "../db/time.js";
import { toBytes } from "./ydoc.js";

/** Most bytes of updates one history page carries: a page ends early (with a cursor) rather than grow past it. */
const PAGE_MAX_BYTES = 8 * 1024 * 1024;
/** Rows merged at a time when rebuilding a document as it was. */
const REPLAY_ROWS = 200;

export interface HistoryItem {
  id: string;
  userId: string | null;
  createdAt: string;
  /** The Yjs update, base64. */
  update: string;
}

export interface AuthorSummary {
  user: { id: string; displayName: string };
  updates: number;
  lastAt: string;
}

/**
 * Opaque history cursors: the row id with a MAC over (session, id), so a cursor the server did not issue — made
 * up, altered, or from another session — is refused (400) rather than read as a position.
 */
function cursors(secret: string) {
  const key = createHmac("sha256", secret).update("cohort-live document history cursor").digest();
  const mac = (sessionId: string, id: bigint) =>
    createHmac("sha256", key).update(`${sessionId}:${id}`).digest().subarray(0, 12).toString("base64url");
  return {
    issue: (sessionId: string, id: string) => `${BigInt(id).toString(36)}.${mac(sessionId, BigInt(id))}`,
    read(sessionId: string, cursor: string): string {
      const m = /^([0-9a-z]{1,13})\.([A-Za-z0-9_-]{16})$/.exec(cursor);
      if (m) {
        const id = [...m[1]].reduce((n, ch) => n * 36n + BigInt(parseInt(ch, 36)), 0n);
        const expected = Buffer.from(mac(sessionId, id));
        if (timingSafeEqual(expected, Buffer.from(m[2]))) return id.toString();
      }
      throw new AppError("INVALID_PAYLOAD", "invalid query: after is not a cursor of this session's history");
    },
  };
}

/** The session's document history: every acknowledged update with its author, in log order, whatever compaction did. */
export function createDocumentHistory(db: DataSource, pool: DocPool, secret: string) {
  const cursor = cursors(secret);

  return {
    /** One page of updates after `after` (oldest first); `nextCursor` is null once there is no more. */
    async page(sessionId: string, q: { after?: string; limit: number }) {
      const after = q.after === undefined ? "0" : cursor.read(sessionId, q.after);
      const rows = (await db.query(
        `SELECT id, user_id, created_at, CASE WHEN rn = 1 OR running <= $4 THEN update END AS update
           FROM (SELECT id, user_id, created_at, update,
                        row_number() OVER (ORDER BY id) AS rn,
                        sum(octet_length(update)) OVER (ORDER BY id) AS running
                   FROM doc_updates WHERE session_id = $1 AND id > $2::bigint ORDER BY id LIMIT $3) page
          ORDER BY id`,
        [sessionId, after, q.limit + 1, PAGE_MAX_BYTES],
      )) as { id: string | number; user_id: string | null; created_at: Date | string; update: unknown }[];
      const items: HistoryItem[] = [];
      for (const r of rows) {
        if (items.length === q.limit || r.update === null) break;
        items.push({
          id: cursor.issue(sessionId, String(r.id)),
          userId: r.user_id,
          createdAt: iso(r.created_at),
          update: Buffer.from(toBytes(r.update)).toString("base64"),
        });
      }
      const more = rows.length > items.length;
      return { updates: items, nextCursor: more && items.length > 0 ? items[items.length - 1].id : null };
    },

    /** The `code` text as it was with the updates written at or before `at` (millisecond precision). */
    async at(sessionId: string, at: Date): Promise<{ text: string; updatedAt: string | null }> {
      // created_at has microseconds; an update shown as 12:00:00.123Z counts as written at .123
      const before = new Date(at.getTime() + 1);
      let state: Uint8Array | null = null;
      let last = "0";
      let updatedAt: number | null = null;
      for (;;) {
        const rows = (await db.query(
          `SELECT id::text AS id, update, created_at FROM doc_updates
            WHERE session_id = $1 AND created_at < $2 AND id > $3::bigint ORDER BY id LIMIT ${REPLAY_ROWS}`,
          [sessionId, before, last],
        )) as { id: string; update: unknown; created_at: Date | string }[];
        if (rows.length === 0) break;
        const parts = rows.map((r) => toBytes(r.update));
        state = await pool.merge(state ? [state, ...parts] : parts);
        for (const r of rows) updatedAt = Math.max(updatedAt ?? 0, new Date(r.created_at).getTime());
        last = rows[rows.length - 1].id;
        if (rows.length < REPLAY_ROWS) break;
      }
      if (!state) return { text: "", updatedAt: null };
      return { text: await pool.text([state]), updatedAt: updatedAt === null ? null : iso(new Date(updatedAt)) };
    },

    /** Who edited the document: each author's number of updates and last one, first contributor first. */
    async authors(sessionId: string): Promise<AuthorSummary[]> {
      const rows = (await db.query(
        `SELECT u.id, u.display_name, count(*)::int AS updates, max(d.created_at) AS last_at
           FROM doc_updates d JOIN users u ON u.id = d.user_id
          WHERE d.session_id = $1
          GROUP BY u.id, u.display_name
          ORDER BY min(d.id)`,
        [sessionId],
      )) as { id: string; display_name: string; updates: number | string; last_at: Date | string }[];
      return rows.map((r) => ({
        user: { id: r.id, displayName: r.display_name },
        updates: Number(r.updates),
        lastAt: iso(r.last_at),
      }));
    },
  };
}

export type DocumentHistory = ReturnType<typeof createDocumentHistory>;
