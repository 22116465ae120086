import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { HistoryItem } from "cohort-live/client";
import { ReplayTimeline } from "../../web/src/replay-timeline.js";

/** A history of `n` updates from two editors: inserts anywhere, every fifth also deletes; the text after each. */
function makeHistory(n: number) {
  const docs = [new Y.Doc(), new Y.Doc()];
  const items: HistoryItem[] = [];
  const texts: string[] = [];
  const inserted: string[] = [];
  for (let i = 0; i < n; i++) {
    const doc = docs[i % 2]!;
    const text = doc.getText("code");
    const word = `w${i};`;
    const at = (i * 7) % (text.length + 1);
    let update: Uint8Array | undefined;
    const capture = (u: Uint8Array) => (update = u);
    doc.once("update", capture);
    doc.transact(() => {
      if (i % 5 === 4 && text.length > 3) text.delete(0, 2);
      text.insert(Math.min(at, text.length), word);
    });
    Y.applyUpdate(docs[(i + 1) % 2]!, update!);
    items.push({
      id: String(i),
      userId: null,
      createdAt: new Date(i).toISOString(),
      update: Buffer.from(update!).toString("base64"),
    });
    texts.push(text.toString());
    inserted.push(word);
  }
  return { items, texts, inserted };
}

describe("the web app's replay timeline", () => {
  it("gives the text after the first k updates in any order of moves, with each update's insertion and deletion", () => {
    const { items, texts, inserted } = makeHistory(150);
    const timeline = new ReplayTimeline(items, "code");
    expect(timeline.length).toBe(150);
    // forward, far back (before a snapshot), across snapshot boundaries, to the start and to the end again
    for (const k of [150, 10, 140, 65, 64, 63, 128, 129, 1, 0, 130, 150, 149]) {
      const step = timeline.at(k);
      expect(step.text).toBe(k === 0 ? "" : texts[k - 1]);
      if (k === 0) continue;
      expect(step.inserted.map(([from, to]) => step.text.slice(from, to)).join("")).toBe(inserted[k - 1]);
      expect(step.deleted).toBe((k - 1) % 5 === 4 ? 2 : 0);
    }
    timeline.destroy();
  });
});
