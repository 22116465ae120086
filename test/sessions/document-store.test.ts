import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import * as Y from "yjs";
import { createDataSource } from "../../src/db/datasource.js";
import { runMigrations } from "../../src/db/migrate.js";
import type { DocumentStore, LoadedDocument } from "../../src/sessions/document-store.js";
import { createTypeormDocumentStore } from "../../src/sessions/typeorm-document-store.js";
import { initialUpdate } from "../../src/sessions/ydoc.js";
import { createTestDatabase, tempDir } from "../support/databases.js";
import { eventually } from "../support/time.js";

/** A client document that types into the shared `code` text and keeps the updates it produced. */
function typist(seed: Uint8Array) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, seed);
  const produced: Uint8Array[] = [];
  doc.on("update", (u: Uint8Array, origin: unknown) => {
    if (origin !== "remote") produced.push(u);
  });
  return {
    doc,
    produced,
    type(s: string) {
      const text = doc.getText("code");
      text.insert(Math.floor(Math.random() * (text.length + 1)), s);
      return produced[produced.length - 1];
    },
  };
}

/** The loaded document as one update. */
const stateOf = (loaded: LoadedDocument) => Y.mergeUpdates(loaded.parts);
const textOf = (state: Uint8Array) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc.getText("code").toString();
};
const sorted = (s: string) => [...s].sort().join("");

const backends: { name: string; open: () => Promise<{ db: DataSource; cleanup: () => Promise<void> }> }[] = [
  {
    name: "PostgreSQL",
    open: async () => {
      const t = await createTestDatabase();
      const db = createDataSource({ kind: "postgres", url: t.url });
      await db.initialize();
      await runMigrations(db);
      return { db, cleanup: async () => (await db.destroy(), await t.drop()) };
    },
  },
  {
    name: "PGlite",
    open: async () => {
      const dir = tempDir();
      const db = createDataSource({ kind: "pglite", dataDir: dir.path });
      await db.initialize();
      await runMigrations(db);
      return { db, cleanup: async () => (await db.destroy(), dir.remove()) };
    },
  },
];

describe.each(backends)("DocumentStore on $name", ({ open }) => {
  let db: DataSource;
  let cleanup: () => Promise<void>;
  let store: DocumentStore & { stats(): { appended: number; inserts: number } };
  let cohortId: string;
  let userId: string;

  async function newSession(status: "scheduled" | "live" | "ended", initial: string | null = null): Promise<string> {
    const [row] = (await db.query(
      `INSERT INTO live_sessions (cohort_id, host_id, title, language, status) VALUES ($1, $2, 't', 'ts', $3) RETURNING id`,
      [cohortId, userId, status],
    )) as { id: string }[];
    await db.transaction((m) => store.create(m, row.id, initial === null ? null : { update: initialUpdate(initial), userId }));
    return row.id;
  }
  const unfolded = async (sessionId: string) =>
    Number(
      (
        (await db.query(`SELECT count(*)::int AS n FROM doc_updates WHERE session_id = $1 AND NOT compacted`, [sessionId])) as {
          n: number;
        }[]
      )[0].n,
    );
  /** The whole log as written: ids, authors and bytes, in log order. */
  const history = async (sessionId: string) =>
    (await db.query(
      `SELECT id::text AS id, user_id, encode(update, 'hex') AS hex FROM doc_updates WHERE session_id = $1 ORDER BY id`,
      [sessionId],
    )) as { id: string; user_id: string; hex: string }[];
  const logCount = async (sessionId: string) =>
    Number(
      ((await db.query(`SELECT count(*)::int AS n FROM doc_updates WHERE session_id = $1`, [sessionId])) as { n: number }[])[0].n,
    );

  beforeAll(async () => {
    ({ db, cleanup } = await open());
    // compaction only when asked, so the tests see the log as written
    store = createTypeormDocumentStore(db, { compactAfter: 1_000_000 });
    [{ id: userId }] = (await db.query(
      `INSERT INTO users (email, password_hash, display_name) VALUES ('docs@cohort.test', 'x', 'Docs') RETURNING id`,
    )) as { id: string }[];
    [{ id: cohortId }] = (await db.query(`INSERT INTO cohorts (name, slug) VALUES ('Docs', 'docs') RETURNING id`)) as {
      id: string;
    }[];
  });
  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  it("stores initial code as the first update and loads it back as binary", async () => {
    const id = await newSession("scheduled", "print('hi')\n");
    expect(await logCount(id)).toBe(1);
    const loaded = await store.load(id);
    for (const part of loaded.parts) expect(part).toBeInstanceOf(Uint8Array);
    expect(loaded.rowIds).toHaveLength(1);
    expect(textOf(stateOf(loaded))).toBe("print('hi')\n");
    expect(loaded.updatedAt).toBeInstanceOf(Date);
    expect(loaded.logRows).toBe(1);
  });

  it("an empty session loads as an empty document", async () => {
    const id = await newSession("live");
    expect(textOf(stateOf(await store.load(id)))).toBe("");
  });

  it("appends only to live sessions, storing nothing otherwise", async () => {
    const live = await newSession("live", "a");
    const scheduled = await newSession("scheduled", "b");
    const ended = await newSession("ended", "c");
    const t = typist(stateOf(await store.load(live)));
    await store.append(live, t.type("x"), userId);
    expect(textOf(stateOf(await store.load(live)))).toBe(t.doc.getText("code").toString());
    for (const id of [scheduled, ended]) {
      const other = typist(stateOf(await store.load(id)));
      await expect(store.append(id, other.type("y"), userId)).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await logCount(id)).toBe(1);
    }
  });

  it("loses nothing under many concurrent appends to several sessions (batched)", async () => {
    const ids = await Promise.all([1, 2, 3, 4].map(() => newSession("live")));
    const before = store.stats();
    const typists = await Promise.all(
      ids.map(async (id) => [typist(stateOf(await store.load(id))), typist(stateOf(await store.load(id)))] as const),
    );
    const writes: Promise<unknown>[] = [];
    const expected = ids.map(() => "");
    for (let i = 0; i < 100; i++) {
      ids.forEach((id, s) => {
        const ch = String.fromCharCode(97 + (i % 26));
        const t = typists[s][i % 2];
        writes.push(store.append(id, t.type(ch), userId));
        expected[s] += ch;
      });
    }
    await Promise.all(writes);
    const after = store.stats();
    expect(after.appended - before.appended).toBe(400);
    // group commit: far fewer INSERT statements than updates
    expect(after.inserts - before.inserts).toBeLessThan(50);
    for (const [s, id] of ids.entries()) {
      expect(await logCount(id)).toBe(100);
      const text = textOf(stateOf(await store.load(id)));
      expect(text).toHaveLength(100);
      expect(sorted(text)).toBe(sorted(expected[s]));
    }
  });

  it("compaction folds the log into the snapshot, keeps the text and never changes the history", async () => {
    const id = await newSession("live", "start\n");
    const t = typist(stateOf(await store.load(id)));
    for (let i = 0; i < 150; i++) {
      const text = t.doc.getText("code");
      if (i % 10 === 9) text.delete(0, 1);
      else t.type(String(i % 10));
      await store.append(id, t.produced[t.produced.length - 1], userId);
    }
    const before = textOf(stateOf(await store.load(id)));
    expect(before).toBe(t.doc.getText("code").toString());
    const log = await history(id);
    expect(log).toHaveLength(151);
    expect(log.every((r) => r.user_id === userId)).toBe(true);
    expect(await store.compact(id)).toBe(151);
    expect(await unfolded(id)).toBe(0);
    expect(await history(id)).toEqual(log);
    const after = await store.load(id);
    expect(after.rowIds).toEqual(log.map((r) => r.id));
    expect(after.logRows).toBe(0);
    expect(textOf(stateOf(after))).toBe(before);
    const [snap] = (await db.query(`SELECT up_to_id::text AS up_to FROM doc_snapshots WHERE session_id = $1`, [id])) as {
      up_to: string;
    }[];
    expect(Number(snap.up_to)).toBeGreaterThan(0);
    // appends after a compaction land in the log again
    await store.append(id, t.type("!"), userId);
    expect(textOf(stateOf(await store.load(id)))).toBe(t.doc.getText("code").toString());
    expect(await store.compact(id)).toBe(1);
    expect(await store.compact(id)).toBe(0);
    expect(await logCount(id)).toBe(152);
  });

  it("returns each append's row id and time, and reads rows back by id", async () => {
    const id = await newSession("live");
    const t = typist(stateOf(await store.load(id)));
    const stored = await Promise.all(["a", "b", "c"].map((ch) => store.append(id, t.type(ch), userId)));
    expect(new Set(stored.map((s) => s.id)).size).toBe(3);
    for (const s of stored) expect(s.createdAt).toBeInstanceOf(Date);
    expect(await store.rowIds(id)).toEqual(stored.map((s) => s.id));
    // what a node holding the rows up to an id lacks: the rows after it, and how many there are up to it
    const after = async (afterId: string) => {
      const { upTo, rows } = await store.after(id, afterId);
      return { upTo, ids: rows.map((r) => r.id) };
    };
    expect(await after("0")).toEqual({ upTo: 0, ids: stored.map((s) => s.id) });
    expect(await after(stored[1].id)).toEqual({ upTo: 2, ids: [stored[2].id] });
    expect(await after(stored[2].id)).toEqual({ upTo: 3, ids: [] });
    const [newest] = (await store.after(id, stored[1].id)).rows;
    expect(Buffer.from(newest.update).equals(Buffer.from(t.produced[2]))).toBe(true);
    expect(newest.createdAt).toBeInstanceOf(Date);
    const rows = await store.rows(id, [stored[2].id, stored[0].id]);
    expect(rows.map((r) => r.id)).toEqual([stored[0].id, stored[2].id]);
    expect(Buffer.from(rows[1].update).equals(Buffer.from(t.produced[2]))).toBe(true);
  });

  it("compactions racing concurrent appends lose nothing", async () => {
    const id = await newSession("live");
    const t = typist(stateOf(await store.load(id)));
    const writes: Promise<unknown>[] = [];
    const compactions: Promise<number>[] = [];
    for (let i = 0; i < 300; i++) {
      writes.push(store.append(id, t.type("z"), userId));
      if (i % 50 === 25) compactions.push(store.compact(id));
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(writes);
    await Promise.all(compactions);
    expect(textOf(stateOf(await store.load(id)))).toBe("z".repeat(300));
    await store.compact(id);
    expect(textOf(stateOf(await store.load(id)))).toBe("z".repeat(300));
  });

  it("background compaction starts once a session's log passes the threshold", async () => {
    const eager = createTypeormDocumentStore(db, { compactAfter: 20 });
    const id = await newSession("live");
    const t = typist(stateOf(await eager.load(id)));
    for (let i = 0; i < 45; i++) await eager.append(id, t.type("q"), userId);
    await eager.close();
    expect(await unfolded(id)).toBeLessThan(20);
    expect(await logCount(id)).toBe(45);
    expect(textOf(stateOf(await store.load(id)))).toBe("q".repeat(45));
  });

  it("a background compaction waits its delay after the trigger, and closing drops one still waiting", async () => {
    const delayed = createTypeormDocumentStore(db, { compactAfter: 20, compactDelayMs: 600 });
    const id = await newSession("live");
    const t = typist(stateOf(await delayed.load(id)));
    for (let i = 0; i < 25; i++) await delayed.append(id, t.type("d"), userId);
    const triggered = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    expect(await unfolded(id)).toBe(25);
    await eventually(async () => (await unfolded(id)) === 0, 5_000);
    // the trigger was the 20th append, a little before `triggered`
    expect(Date.now() - triggered).toBeGreaterThanOrEqual(500);
    expect(textOf(stateOf(await store.load(id)))).toBe(t.doc.getText("code").toString());

    for (let i = 0; i < 25; i++) await delayed.append(id, t.type("e"), userId);
    await delayed.close();
    await new Promise((r) => setTimeout(r, 900));
    expect(await unfolded(id)).toBe(25);
    expect(textOf(stateOf(await store.load(id)))).toBe(t.doc.getText("code").toString());
  });
});
