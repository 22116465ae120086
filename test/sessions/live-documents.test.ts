import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataSource } from "typeorm";
import * as Y from "yjs";
import { createDataSource } from "../../src/db/datasource.js";
import { runMigrations } from "../../src/db/migrate.js";
import { heldCount } from "../../src/sessions/doc-holder.js";
import { type DocPool, inlineDocPool } from "../../src/sessions/doc-pool.js";
import { createLiveDocuments } from "../../src/sessions/live-documents.js";
import { createTypeormDocumentStore } from "../../src/sessions/typeorm-document-store.js";
import { initialUpdate } from "../../src/sessions/ydoc.js";
import { createTestDatabase } from "../support/databases.js";
import { eventually } from "../support/time.js";

/**
 * The document work of doc-worker.ts, with the folds for joins (snapshots of the held document) held until the
 * test lets them finish (a busy pool).
 */
function gatedPool() {
  const inline = inlineDocPool();
  const held: (() => void)[] = [];
  let open = true;
  let merges = 0;
  const pool: DocPool = {
    ...inline,
    async snapshot(input) {
      // a call with the base is the retry of one the thread could not answer: the same fold
      if (input.base === null) merges++;
      if (!open) await new Promise<void>((resolve) => held.push(resolve));
      return inline.snapshot(input);
    },
  };
  return {
    pool,
    merges: () => merges,
    /** Folds are held from now on. */
    close: () => void (open = false),
    /** Lets every held fold and every later one run. */
    open() {
      open = true;
      held.splice(0).forEach((release) => release());
    },
    /** Lets the oldest held fold run. */
    releaseOne: () => held.shift()?.(),
    held: () => held.length,
  };
}

const textOf = (state: Uint8Array) => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc.getText("code").toString();
};

describe("live documents on a busy worker pool", () => {
  let db: DataSource;
  let drop: () => Promise<void>;
  const store = () => createTypeormDocumentStore(db, { compactAfter: 1_000_000 });
  const stores: ReturnType<typeof store>[] = [];

  beforeAll(async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    db = createDataSource({ kind: "postgres", url: t.url });
    await db.initialize();
    await runMigrations(db);
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    await db?.destroy();
    await drop?.();
  });

  /** A live session whose document starts as "init ", in a store of its own (with the user who wrote it). */
  async function liveSession(tag: string) {
    const docs = store();
    stores.push(docs);
    const [{ id: userId }] = (await db.query(
      `INSERT INTO users (email, password_hash, display_name) VALUES ($1, 'x', 'Live') RETURNING id`,
      [`${tag}@cohort.test`],
    )) as { id: string }[];
    const [{ id: cohortId }] = (await db.query(`INSERT INTO cohorts (name, slug) VALUES ($1, $1) RETURNING id`, [tag])) as {
      id: string;
    }[];
    const [{ id: sessionId }] = (await db.query(
      `INSERT INTO live_sessions (cohort_id, host_id, title, language, status) VALUES ($1, $2, 't', 'ts', 'live') RETURNING id`,
      [cohortId, userId],
    )) as { id: string }[];
    const seed = initialUpdate("init ");
    await db.transaction((m) => docs.create(m, sessionId, { update: seed, userId }));
    return { docs, userId, sessionId, seed };
  }

  it("joins waiting behind a running merge share one merge, each holding every update applied before it asked", async () => {
    const { docs, userId, sessionId, seed } = await liveSession("live");

    const gate = gatedPool();
    const live = createLiveDocuments({ store: docs, pool: gate.pool, maxBytes: 0, verify: false, localSockets: () => 1 });
    const typist = new Y.Doc();
    Y.applyUpdate(typist, seed);
    /** Commits one update appending `s`, and applies it to the node's document as the write path does. */
    const write = async (s: string) => {
      let update: Uint8Array | null = null;
      typist.once("update", (u: Uint8Array) => (update = u));
      typist.getText("code").insert(typist.getText("code").length, s);
      const row = await docs.append(sessionId, update!, userId);
      live.apply(sessionId, row, update!);
    };
    expect(textOf(await live.state(sessionId))).toBe("init ");

    gate.close();
    await write("a ");
    const first = live.state(sessionId);
    await eventually(() => gate.held() === 1);
    const before = gate.merges();
    // five joins while that merge runs, an update committed before each
    const joins: Promise<Uint8Array>[] = [];
    for (let k = 0; k < 5; k++) {
      await write(`b${k} `);
      joins.push(live.state(sessionId));
    }
    gate.releaseOne();
    expect(textOf(await first)).toBe("init a ");
    await eventually(() => gate.held() === 1);
    // committed while the merge for the five runs: not theirs to wait for
    await write("z ");
    gate.open();
    const texts = (await Promise.all(joins)).map(textOf);

    expect(gate.merges() - before).toBe(1);
    for (const text of texts) expect(text).toBe("init a b0 b1 b2 b3 b4 ");
    expect(textOf(await live.state(sessionId))).toBe("init a b0 b1 b2 b3 b4 z ");
  });

  it("in a cluster, a node's answers hold the rows it never applied: newer ones, and one committed out of id order", async () => {
    const { docs, userId, sessionId, seed } = await liveSession("cluster");
    const live = createLiveDocuments({ store: docs, pool: inlineDocPool(), maxBytes: 0, verify: true, localSockets: () => 1 });
    const typist = new Y.Doc();
    Y.applyUpdate(typist, seed);
    const edit = (s: string) => {
      let update: Uint8Array | null = null;
      typist.once("update", (u: Uint8Array) => (update = u));
      typist.getText("code").insert(typist.getText("code").length, s);
      return update!;
    };
    expect(textOf(await live.state(sessionId))).toBe("init ");

    // written by another node whose bus message never came
    await docs.append(sessionId, edit("a "), userId);
    expect(textOf(await live.state(sessionId))).toBe("init a ");

    // a row whose id was taken before a later row's, committed after that later row was applied here
    const [{ id: earlierId }] = (await db.query(`SELECT nextval(pg_get_serial_sequence('doc_updates', 'id'))::text AS id`)) as {
      id: string;
    }[];
    const b = edit("b ");
    const c = edit("c ");
    const later = await docs.append(sessionId, c, userId);
    live.apply(sessionId, later, c);
    await db.query(`INSERT INTO doc_updates (id, session_id, update, user_id) VALUES ($1, $2, $3, $4)`, [
      earlierId,
      sessionId,
      Buffer.from(b),
      userId,
    ]);
    expect(BigInt(earlierId) < BigInt(later.id)).toBe(true);
    expect(textOf(await live.state(sessionId))).toBe("init a b c ");
    expect((await live.text(sessionId)).text).toBe("init a b c ");
  });

  it("a document dropped for idleness is dropped from the pool's holder thread too", async () => {
    const { docs, sessionId } = await liveSession("idle");
    const live = createLiveDocuments({
      store: docs,
      pool: inlineDocPool(),
      maxBytes: 0,
      verify: false,
      localSockets: () => 0,
      idleMs: 0,
    });
    const before = heldCount();
    expect(textOf(await live.state(sessionId))).toBe("init ");
    expect(heldCount()).toBe(before + 1);
    live.sweep(Date.now() + 1);
    expect(live.holds(sessionId)).toBe(false);
    await eventually(() => heldCount() === before);
  });
});
