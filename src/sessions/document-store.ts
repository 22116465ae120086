import type { EntityManager } from "typeorm";

/** One acknowledged row of a session's update log. */
export interface StoredUpdate {
  /** The row id (int8 as a string): ascending in the order the log was written. */
  id: string;
  createdAt: Date;
}

/** What is stored of one session's document, read in one consistent statement. */
export interface LoadedDocument {
  /** The snapshot (a checkpoint) then every log row not folded into it, oldest first: together, the document. */
  parts: Uint8Array[];
  /** Ids of every log row the parts hold, folded into the snapshot or not: all of the session's rows. */
  rowIds: string[];
  /** When the last update (or the snapshot) was written; null for a session without a document. */
  updatedAt: Date | null;
  /** Log rows not yet folded into the snapshot. */
  logRows: number;
}

/** A log row as read back for a catch-up. */
export interface LogRow extends StoredUpdate {
  update: Uint8Array;
}

/**
 * Durable storage of session documents: an append-only log of Yjs updates with their authors (the history,
 * never deleted) plus a snapshot that compaction folds the log into, as a checkpoint for fast loads. Every
 * promise resolves only after the commit.
 */
export interface DocumentStore {
  /** Creates a new session's document inside the caller's transaction; `initial` becomes its first update. */
  create(manager: EntityManager, sessionId: string, initial: { update: Uint8Array; userId: string } | null): Promise<void>;
  /**
   * Durably appends one (already validated) update by `userId` to a live session's log. Concurrent appends, for
   * one session or many, share one multi-row INSERT and one commit. Rejects with FORBIDDEN, storing nothing,
   * when the session is not live at the time of the write.
   */
  append(sessionId: string, update: Uint8Array, userId: string): Promise<StoredUpdate>;
  load(sessionId: string): Promise<LoadedDocument>;
  /**
   * What a node holding every row up to `afterId` lacks, in one statement: the rows after it (oldest first) and how
   * many rows there are up to it (more than the node holds: a row committed out of id order, see `rowIds`).
   */
  after(sessionId: string, afterId: string): Promise<{ upTo: number; rows: LogRow[] }>;
  /** Ids of every log row of the session (no document bytes). */
  rowIds(sessionId: string): Promise<string[]>;
  /** The rows of the session with these ids. */
  rows(sessionId: string, ids: string[]): Promise<LogRow[]>;
  /**
   * Folds the log rows not yet in the snapshot into it (computed off the event loop, then committed only if no
   * other compaction committed meanwhile); returns how many rows it folded. The rows stay in the log.
   */
  compact(sessionId: string): Promise<number>;
  /** Finishes queued appends and background compactions. */
  close(): Promise<void>;
}
