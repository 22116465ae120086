import type { EntityManager } from "typeorm";

/** What is stored of one session's document, read in one consistent statement. */
export interface StoredDocument {
  /** One Yjs update holding the snapshot and every logged update after it (empty document: an empty update). */
  state: Uint8Array;
  /** When the last stored update (or the snapshot) was written; null for a session without a document. */
  updatedAt: Date | null;
  /** Log rows not yet folded into the snapshot. */
  logRows: number;
}

/**
 * Durable storage of session documents: an append-only log of Yjs updates plus a snapshot that
 * compaction folds the log into. Every promise resolves only after the commit.
 */
export interface DocumentStore {
  /** Creates a new session's document inside the caller's transaction; `initial` becomes its first update. */
  create(manager: EntityManager, sessionId: string, initial: Uint8Array | null): Promise<void>;
  /**
   * Durably appends one (already validated) update to a live session's log. Concurrent appends, for one
   * session or many, share one multi-row INSERT and one commit. Rejects with FORBIDDEN, storing nothing,
   * when the session is not live at the time of the write.
   */
  append(sessionId: string, update: Uint8Array): Promise<void>;
  /** The snapshot merged with every update logged after it. */
  load(sessionId: string): Promise<StoredDocument>;
  /** Folds the log into the snapshot in one transaction; returns how many log rows it folded. */
  compact(sessionId: string): Promise<number>;
  /** Finishes queued appends and background compactions. */
  close(): Promise<void>;
}
