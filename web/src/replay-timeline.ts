import { fromBase64, type HistoryItem } from "cohort-live/client";
import * as Y from "yjs";

/** The document after some of its history's updates, and what the last of them did to the text. */
export interface ReplayStep {
  text: string;
  /** [from, to) ranges of `text` that the last update inserted. */
  inserted: [number, number][];
  /** Characters the last update deleted. */
  deleted: number;
}

/** A whole-document snapshot is kept every this many updates, so moving back replays at most this many. */
const SNAPSHOT_EVERY = 64;

/**
 * A session document at any point of its history: the first k updates applied in order to a fresh Y.Doc. Moving
 * forward applies only the updates in between; moving back starts again from the nearest snapshot before k.
 */
export class ReplayTimeline {
  private readonly updates: Uint8Array[];
  private readonly snapshots = new Map<number, Uint8Array>();
  private doc = new Y.Doc();
  private applied = 0;

  constructor(
    items: HistoryItem[],
    private readonly textName: string,
  ) {
    this.updates = items.map((item) => fromBase64(item.update));
  }

  get length(): number {
    return this.updates.length;
  }

  /** The document after the first `k` updates (0 ≤ k ≤ length), with the changes of update k - 1. */
  at(k: number): ReplayStep {
    k = Math.max(0, Math.min(this.updates.length, Math.floor(k)));
    if (k === 0) {
      this.seek(0);
      return { text: "", inserted: [], deleted: 0 };
    }
    this.seek(k - 1);
    const text = this.doc.getText(this.textName);
    const step: ReplayStep = { text: "", inserted: [], deleted: 0 };
    const observe = (event: Y.YTextEvent) => {
      let pos = 0;
      for (const op of event.delta) {
        if (op.retain) pos += op.retain;
        else if (op.delete) step.deleted += op.delete;
        else if (op.insert !== undefined) {
          const length = typeof op.insert === "string" ? op.insert.length : 1;
          step.inserted.push([pos, pos + length]);
          pos += length;
        }
      }
    };
    text.observe(observe);
    try {
      this.applyNext();
    } finally {
      text.unobserve(observe);
    }
    step.text = text.toString();
    return step;
  }

  destroy(): void {
    this.doc.destroy();
  }

  /** Brings the working document to exactly `k` updates applied. */
  private seek(k: number) {
    if (k < this.applied) {
      let base = Math.floor(k / SNAPSHOT_EVERY) * SNAPSHOT_EVERY;
      while (base > 0 && !this.snapshots.has(base)) base -= SNAPSHOT_EVERY;
      this.doc.destroy();
      this.doc = new Y.Doc();
      const snapshot = this.snapshots.get(base);
      if (snapshot) Y.applyUpdate(this.doc, snapshot);
      this.applied = base;
    }
    while (this.applied < k) this.applyNext();
  }

  private applyNext() {
    Y.applyUpdate(this.doc, this.updates[this.applied]!);
    this.applied++;
    if (this.applied % SNAPSHOT_EVERY === 0 && !this.snapshots.has(this.applied))
      this.snapshots.set(this.applied, Y.encodeStateAsUpdate(this.doc));
  }
}
