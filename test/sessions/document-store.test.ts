import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import * as Y from "yjs";
import { createDataSource } from "../../src/db/datasource.js";
import { runMigrations } from "../../src/db/migrate.js";
import type { DocumentStore } from "../../src/sessions/document-store.js";
import { createTypeormDocumentStore } from "../../src/sessions/typeorm-document-store.js";
import { initialUpdate } from "../../src/sessions/ydoc.js";
import { createTestDatabase, tempDir } from "../support/databases.js";

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
    await db.transaction((m) => store.create(m, row.id, initial === null ? null : initialUpdate(initial)));
    return row.id;
  }
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
    expect(loaded.state).toBeInstanceOf(Uint8Array);
    expect(textOf(loaded.state)).toBe("print('hi')\n");
    expect(loaded.updatedAt).toBeInstanceOf(Date);
    expect(loaded.logRows).toBe(1);
  });

  it("an empty session loads as an empty document", async () => {
    const id = await newSession("live");
    expect(textOf((await store.load(id)).state)).toBe("");
  });

  it("appends only to live sessions, storing nothing otherwise", async () => {
    const live = await newSession("live", "a");
    const scheduled = await newSession("scheduled", "b");
    const ended = await newSession("ended", "c");
    const t = typist((await store.load(live)).state);
    await store.append(live, t.type("x"));
    expect(textOf((await store.load(live)).state)).toBe(t.doc.getText("code").toString());
    for (const id of [scheduled, ended]) {
      const other = typist((await store.load(id)).state);
      await expect(store.append(id, other.type("y"))).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await logCount(id)).toBe(1);
    }
  });

  it("loses nothing under many concurrent appends to several sessions (batched)", async () => {
    const ids = await Promise.all([1, 2, 3, 4].map(() => newSession("live")));
    const before = store.stats();
    const typists = await Promise.all(
      ids.map(async (id) => [typist((await store.load(id)).state), typist((await store.load(id)).state)] as const),
    );
    const writes: Promise<void>[] = [];
    const expected = ids.map(() => "");
    for (let i = 0; i < 100; i++) {
      ids.forEach((id, s) => {
        const ch = String.fromCharCode(97 + (i % 26));
        const t = typists[s][i % 2];
        writes.push(store.append(id, t.type(ch)));
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
      const text = textOf((await store.load(id)).state);
      expect(text).toHaveLength(100);
      expect(sorted(text)).toBe(sorted(expected[s]));
    }
  });

  it("compaction folds the log into the snapshot and keeps the text", async () => {
    const id = await newSession("live", "start\n");
    const t = typist((await store.load(id)).state);
    for (let i = 0; i < 150; i++) {
      const text = t.doc.getText("code");
      if (i % 10 === 9) text.delete(0, 1);
      else t.type(String(i % 10));
      await store.append(id, t.produced[t.produced.length - 1]);
    }
    const before = textOf((await store.load(id)).state);
    expect(before).toBe(t.doc.getText("code").toString());
    expect(await store.compact(id)).toBe(151);
    expect(await logCount(id)).toBe(0);
    const after = await store.load(id);
    expect(after.logRows).toBe(0);
    expect(textOf(after.state)).toBe(before);
    const [snap] = (await db.query(`SELECT up_to_id::text AS up_to FROM doc_snapshots WHERE session_id = $1`, [id])) as {
      up_to: string;
    }[];
    expect(Number(snap.up_to)).toBeGreaterThan(0);
    // appends after a compaction land in the log again
    await store.append(id, t.type("!"));
    expect(textOf((await store.load(id)).state)).toBe(t.doc.getText("code").toString());
    expect(await store.compact(id)).toBe(1);
    expect(await store.compact(id)).toBe(0);
  });

  it("compactions racing concurrent appends lose nothing", async () => {
    const id = await newSession("live");
    const t = typist((await store.load(id)).state);
    const writes: Promise<void>[] = [];
    const compactions: Promise<number>[] = [];
    for (let i = 0; i < 300; i++) {
      writes.push(store.append(id, t.type("z")));
      if (i % 50 === 25) compactions.push(store.compact(id));
      if (i % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(writes);
    await Promise.all(compactions);
    expect(textOf((await store.load(id)).state)).toBe("z".repeat(300));
    await store.compact(id);
    expect(textOf((await store.load(id)).state)).toBe("z".repeat(300));
  });

  it("background compaction starts once a session's log passes the threshold", async () => {
    const eager = createTypeormDocumentStore(db, { compactAfter: 20 });
    const id = await newSession("live");
    const t = typist((await eager.load(id)).state);
    for (let i = 0; i < 45; i++) await eager.append(id, t.type("q"));
    await eager.close();
    expect(await logCount(id)).toBeLessThan(20);
    expect(textOf((await store.load(id)).state)).toBe("q".repeat(45));
  });
});
