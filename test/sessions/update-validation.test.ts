/**
 * `assertValidUpdate` applies an update to an empty document only when it has a struct at clock 0 or anything of
 * length 0 (see ydoc.ts). Its verdict must equal that of the full check — decode, the self-reference rule, and
 * always applying to an empty document — for the updates editors send and for corrupted copies of them.
 */
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { AppError } from "../../src/errors.js";
import { assertValidUpdate } from "../../src/sessions/ydoc.js";
import { seededRandom } from "../support/seeded-random.js";

/** The check as it was before the shortcut: every update applied to an empty document. */
function fullCheck(update: Uint8Array): boolean {
  try {
    for (const struct of Y.decodeUpdate(update).structs) {
      if (!(struct instanceof Y.Item)) continue;
      const { client, clock } = struct.id;
      const parent = struct.parent instanceof Y.ID ? struct.parent : null;
      for (const ref of [struct.origin, struct.rightOrigin, parent]) {
        if (ref && ref.client === client && ref.clock >= clock) return false;
      }
    }
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, update);
    } finally {
      doc.destroy();
    }
    return true;
  } catch {
    return false;
  }
}

function accepted(update: Uint8Array): boolean {
  try {
    assertValidUpdate(update);
    return true;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("INVALID_PAYLOAD");
    return false;
  }
}

/** The updates three editors emit while typing, deleting, formatting and editing maps, arrays and nested types. */
function editorUpdates(rand: () => number): Uint8Array[] {
  const docs = [1, 2, 3].map((client) => {
    const doc = new Y.Doc();
    doc.clientID = client;
    return doc;
  });
  const updates: Uint8Array[] = [];
  docs.forEach((doc, i) =>
    doc.on("update", (u: Uint8Array) => {
      updates.push(u);
      // the others receive it, so later edits depend on other clients' items
      docs.forEach((other, j) => j !== i && Y.applyUpdate(other, u));
    }),
  );
  for (let step = 0; step < 300; step++) {
    const doc = docs[Math.floor(rand() * docs.length)]!;
    const text = doc.getText("code");
    const pick = rand();
    if (pick < 0.5 || text.length === 0)
      text.insert(Math.floor(rand() * (text.length + 1)), "abc".slice(0, 1 + Math.floor(rand() * 3)));
    else if (pick < 0.7) text.delete(Math.floor(rand() * text.length), 1);
    else if (pick < 0.78) text.format(0, Math.min(2, text.length), { bold: rand() < 0.5 ? true : null });
    else if (pick < 0.86) doc.getMap("meta").set(`k${Math.floor(rand() * 4)}`, { n: step, s: "v" });
    else if (pick < 0.94) doc.getArray("list").push([step, `x${step}`]);
    else doc.getMap("meta").set("nested", new Y.Text(`n${step}`));
  }
  // a whole document at once: structs at clock 0 for every client
  updates.push(Y.encodeStateAsUpdate(docs[0]!));
  docs.forEach((d) => d.destroy());
  return updates;
}

/** A corrupted copy: a changed byte, a truncation, an inserted byte or a removed one. */
function corrupt(update: Uint8Array, rand: () => number): Uint8Array {
  const at = Math.floor(rand() * update.length);
  const kind = rand();
  if (kind < 0.4) {
    const copy = update.slice();
    copy[at] = Math.floor(rand() * 256);
    return copy;
  }
  if (kind < 0.6) return update.slice(0, at);
  if (kind < 0.8) return new Uint8Array([...update.slice(0, at), Math.floor(rand() * 256), ...update.slice(at)]);
  return new Uint8Array([...update.slice(0, at), ...update.slice(at + 1)]);
}

describe("assertValidUpdate", () => {
  it("accepts what editors send, and judges corrupted updates as applying every update would", () => {
    // seeded, so a failure reproduces
    const rand = seededRandom(20261129);
    const updates = editorUpdates(rand);
    const pastClockZero = updates.filter((u) => Y.decodeUpdate(u).structs.every((s) => s.id.clock > 0));
    expect(pastClockZero.length).toBeGreaterThan(200);
    for (const update of updates) expect(accepted(update)).toBe(true);

    let refused = 0;
    let stillValid = 0;
    for (const update of updates) {
      for (let k = 0; k < 20; k++) {
        const bad = corrupt(update, rand);
        const verdict = fullCheck(bad);
        expect(accepted(bad), `bytes ${Buffer.from(bad).toString("hex")}`).toBe(verdict);
        if (verdict) stillValid++;
        else refused++;
      }
    }
    // both kinds occur, so the comparison covers each
    expect(refused).toBeGreaterThan(500);
    expect(stillValid).toBeGreaterThan(500);
  });

  it("refuses a deletion of length 0, which decodes but throws when applied even to an empty document", () => {
    // no structs; client 3 deletes 0 items at clock 102 (found by the comparison above)
    const zeroDeletion = Buffer.from("00010301660001", "hex");
    expect(() => Y.decodeUpdate(zeroDeletion)).not.toThrow();
    expect(fullCheck(zeroDeletion)).toBe(false);
    expect(accepted(zeroDeletion)).toBe(false);
  });
});
