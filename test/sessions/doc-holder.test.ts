import { afterEach, describe, expect, it, vi } from "vitest";
import * as Y from "yjs";
import { forget, heldCount, snapshot } from "../../src/sessions/doc-holder.js";

/** A writer of one document: each edit's update, as a client sends it. */
function writer(seed?: Uint8Array) {
  const doc = new Y.Doc();
  if (seed) Y.applyUpdate(doc, seed);
  return {
    doc,
    edit(text: string, at = doc.getText("code").length): Uint8Array {
      let update: Uint8Array | null = null;
      doc.once("update", (u: Uint8Array) => (update = u));
      doc.getText("code").insert(at, text);
      return update!;
    },
  };
}

const textOf = (state: Uint8Array) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc.getText("code").toString();
};

/** An update re-encoded through a Y.Doc (no garbage collection): equal for any two encodings of one document. */
const normalized = (state: Uint8Array) => {
  const doc = new Y.Doc({ gc: false });
  Y.applyUpdate(doc, state);
  return Y.encodeStateAsUpdate(doc);
};

let keys = 0;
const newKey = () => `doc-holder-test/${++keys}`;

afterEach(() => {
  vi.useRealTimers();
});

describe("documents held for join states", () => {
  it("answers null until sent the base, then what merging base and tail gives, sent only the updates since", () => {
    const w = writer();
    const base = w.edit("hello ");
    const key = newKey();
    const a = w.edit("a ");
    expect(snapshot({ key, baseSeq: 0, base: null, tail: [a] })).toBeNull();

    const first = snapshot({ key, baseSeq: 0, base, tail: [a] })!;
    expect(normalized(first)).toEqual(normalized(Y.mergeUpdates([base, a])));

    // the caller folded [a] into its base (baseSeq 1) and has two updates since: only those are sent, no base
    const b = w.edit("b ");
    const c = w.edit("c ");
    const second = snapshot({ key, baseSeq: 1, base: null, tail: [b, c] })!;
    expect(second).not.toBeNull();
    expect(textOf(second)).toBe("hello a b c ");
    expect(Y.encodeStateVectorFromUpdate(second)).toEqual(Y.encodeStateVector(w.doc));
  });

  it("applies only the updates it lacks when a call repeats some it already has", () => {
    const w = writer();
    const base = w.edit("x");
    const key = newKey();
    const a = w.edit("a", 0);
    snapshot({ key, baseSeq: 0, base, tail: [a] });
    // the caller's base did not move (its fold was not kept): the tail repeats a, then b
    const b = w.edit("b", 0);
    const state = snapshot({ key, baseSeq: 0, base: null, tail: [a, b] })!;
    expect(textOf(state)).toBe("bax");
    expect(normalized(state)).toEqual(normalized(Y.mergeUpdates([base, a, b])));
  });

  it("asks for the base again when the caller's base holds updates it never applied", () => {
    const w = writer();
    const base = w.edit("one ");
    const key = newKey();
    snapshot({ key, baseSeq: 0, base, tail: [] });
    const two = w.edit("two ");
    const three = w.edit("three ");
    // the caller compacted [two] into its base (baseSeq 1) without this thread seeing it
    const compacted = Y.mergeUpdates([base, two]);
    expect(snapshot({ key, baseSeq: 1, base: null, tail: [three] })).toBeNull();
    expect(textOf(snapshot({ key, baseSeq: 1, base: compacted, tail: [three] })!)).toBe("one two three ");
  });

  it("keeps an update whose predecessor has not arrived, and places it once that one does", () => {
    const w = writer();
    const base = w.edit("start ");
    const key = newKey();
    const first = w.edit("1 ");
    const second = w.edit("2 ");
    const early = snapshot({ key, baseSeq: 0, base, tail: [second] })!;
    // the pending update travels in the state: a client holding it completes the text once `first` arrives
    const client = new Y.Doc();
    Y.applyUpdate(client, early);
    expect(client.getText("code").toString()).toBe("start ");
    Y.applyUpdate(client, first);
    expect(client.getText("code").toString()).toBe("start 1 2 ");

    expect(textOf(snapshot({ key, baseSeq: 0, base: null, tail: [second, first] })!)).toBe("start 1 2 ");
  });

  it("drops a document its caller forgets", () => {
    const w = writer();
    const base = w.edit("gone");
    const key = newKey();
    snapshot({ key, baseSeq: 0, base, tail: [] });
    const before = heldCount();
    forget(key);
    expect(heldCount()).toBe(before - 1);
    expect(snapshot({ key, baseSeq: 0, base: null, tail: [] })).toBeNull();
  });

  it("over its budget, drops the least recently used documents first", () => {
    const base = writer().edit("x");
    const [a, b, c] = [newKey(), newKey(), newKey()];
    // one document of one struct: its cost is its encoded size plus 200 bytes
    const cost = snapshot({ key: a, baseSeq: 0, base, tail: [] })!.byteLength + 200;
    const budget = 2 * cost;
    snapshot({ key: b, baseSeq: 0, base, tail: [], budget });
    snapshot({ key: a, baseSeq: 0, base: null, tail: [], budget }); // a is now the most recently used
    snapshot({ key: c, baseSeq: 0, base, tail: [], budget });
    expect(snapshot({ key: b, baseSeq: 0, base: null, tail: [], budget })).toBeNull();
    expect(snapshot({ key: a, baseSeq: 0, base: null, tail: [], budget })).not.toBeNull();
  });

  it("drops documents unused for a minute", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-01T10:00:00Z"));
    const w = writer();
    const base = w.edit("idle");
    const idle = newKey();
    snapshot({ key: idle, baseSeq: 0, base, tail: [] });
    const before = heldCount();

    vi.setSystemTime(new Date("2026-01-01T10:01:01Z"));
    snapshot({ key: newKey(), baseSeq: 0, base, tail: [] });
    expect(heldCount()).toBeLessThanOrEqual(before);
    expect(snapshot({ key: idle, baseSeq: 0, base: null, tail: [] })).toBeNull();
  });
});
