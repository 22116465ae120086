import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { startCluster } from "../support/clusters.js";
import { startEmbeddedInProcess } from "../support/in-process.js";
import { api, makeCohort, makeUser, type TestUser } from "../support/rest.js";
import type { Node } from "../support/servers.js";
import { connect, type ClientSocket } from "../support/sockets.js";
import { eventually, sleep } from "../support/time.js";
import { DocClient } from "../support/yjs.js";

interface HistoryItem {
  id: string;
  userId: string | null;
  createdAt: string;
  update: string;
}

/** The text of the document made by applying `items` in order to an empty Y.Doc. */
function replay(items: HistoryItem[]): string {
  const doc = new Y.Doc();
  for (const item of items) Y.applyUpdate(doc, new Uint8Array(Buffer.from(item.update, "base64")));
  return doc.getText("code").toString();
}

const latest = (items: HistoryItem[]) => items.map((i) => i.createdAt).sort()[items.length - 1];

/** The two ways to run: PostgreSQL with two nodes and Redis, and the embedded default (PGlite, one node). */
/** Compactions start at once: the tests below wait for one. */
const ENV = { SOCKET_RATE_LIMIT: "0", DOC_COMPACTION_DELAY_MS: "0" };

const setups: { name: string; start: () => Promise<{ nodes: Node[]; close: () => Promise<void> }> }[] = [
  {
    name: "PostgreSQL, two nodes",
    start: async () => {
      const cluster = await startCluster(2, { env: ENV });
      return { nodes: cluster.nodes, close: () => cluster.close() };
    },
  },
  {
    name: "PGlite (embedded)",
    start: async () => {
      const node = await startEmbeddedInProcess(ENV);
      return { nodes: [node, node], close: () => node.close() };
    },
  },
];

describe.each(setups)("document history on $name", ({ start }) => {
  let nodes: Node[];
  let close: () => Promise<void>;
  let mentor: TestUser;
  let learners: TestUser[];
  let outsider: TestUser;
  let cohortId: string;
  const sockets: ClientSocket[] = [];
  const get = (path: string, user: TestUser = mentor, node = 0) => api(nodes[node], "GET", path, { token: user.accessToken });

  async function liveSession(initialCode: string): Promise<string> {
    const created = await api(nodes[0], "POST", `/api/cohorts/${cohortId}/sessions`, {
      token: mentor.accessToken,
      body: { title: "Replay", language: "ts", initialCode },
    });
    expect(created.status).toBe(201);
    const id: string = created.body.session.id;
    expect((await api(nodes[1], "POST", `/api/sessions/${id}/start`, { token: mentor.accessToken })).status).toBe(200);
    return id;
  }
  async function client(user: TestUser, sessionId: string, node: number) {
    const s = await connect(nodes[node], user.accessToken);
    sockets.push(s);
    const c = new DocClient(sessionId);
    expect((await c.join(s)).ok).toBe(true);
    return c;
  }
  async function allHistory(sessionId: string, limit: number): Promise<HistoryItem[]> {
    const items: HistoryItem[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await get(`/api/sessions/${sessionId}/history?limit=${limit}${after ? `&after=${after}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.updates.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.updates);
      after = res.body.nextCursor;
      if (after === null) return items;
    }
  }

  beforeAll(async () => {
    ({ nodes, close } = await start());
    mentor = await makeUser(nodes[0], "mentor");
    learners = await Promise.all([0, 1].map(() => makeUser(nodes[0], "learner")));
    outsider = await makeUser(nodes[0], "learner");
    cohortId = (await makeCohort(nodes[0], mentor, learners)).id;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await close?.();
  });

  it("history replays to the document, with authors, and ?at= gives the text at each point", async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const id = await liveSession("let x = 1;\n");
    const a = await client(learners[0], id, 0);
    const b = await client(learners[1], id, 1);
    for (let i = 0; i < 6; i++) {
      expect(await a.type(`a${i} `)).toEqual({ ok: true });
      await sleep(15);
      expect(await b.type(`b${i} `)).toEqual({ ok: true });
      await sleep(15);
    }
    const doc = (await eventually(async () => {
      const res = await get(`/api/sessions/${id}/document`, mentor, 1);
      return res.body.text === a.text() && res.body.text === b.text() ? res.body : null;
    }))!;

    const items = await allHistory(id, 5);
    expect(items).toHaveLength(13);
    expect(new Set(items.map((i) => i.id)).size).toBe(13);
    expect(items[0].userId).toBe(mentor.id);
    expect(replay(items)).toBe(doc.text);
    expect(replay(items.slice(0, 1))).toBe("let x = 1;\n");
    for (const item of items) expect(item.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    // the text as it was at each update's time: every update written at or before it, and nothing later
    for (const item of [items[0], items[4], items[9], items[12]]) {
      const res = await get(`/api/sessions/${id}/document?at=${encodeURIComponent(item.createdAt)}`, learners[1], 1);
      expect(res.status).toBe(200);
      const upTo = items.filter((i) => i.createdAt <= item.createdAt);
      expect(res.body).toEqual({ text: replay(upTo), updatedAt: latest(upTo) });
    }
    expect((await get(`/api/sessions/${id}/document?at=${before}`)).body).toEqual({ text: "", updatedAt: null });
    expect((await get(`/api/sessions/${id}/document?at=2999-01-01`)).body.text).toBe(doc.text);

    const authors = (await get(`/api/sessions/${id}/authors`, learners[0])).body.authors as {
      user: { id: string; displayName: string };
      updates: number;
      lastAt: string;
    }[];
    expect(authors.map((x) => x.user.id).sort()).toEqual([mentor.id, learners[0].id, learners[1].id].sort());
    for (const author of authors) {
      const own = items.filter((i) => i.userId === author.user.id);
      expect(author.updates).toBe(own.length);
      expect(author.lastAt).toBe(latest(own));
    }
    expect(authors.find((x) => x.user.id === learners[0].id)?.user.displayName).toBe(learners[0].displayName);
  });

  it("compaction never changes what the history returns", { timeout: 120_000 }, async () => {
    const id = await liveSession("start\n");
    const a = await client(learners[0], id, 0);
    for (let i = 0; i < 60; i++) expect(await a.type("x", 0)).toEqual({ ok: true });
    const early = await allHistory(id, 500);
    const compactions = async () => {
      const text = await (await fetch(`${nodes[0].url}/metrics`)).text();
      return Number(/^cohort_live_doc_compactions_total (\S+)$/m.exec(text)?.[1] ?? 0);
    };
    const compactedBefore = await compactions();
    // past the 100-row threshold: a background compaction folds the log into the snapshot
    for (let i = 0; i < 60; i++) expect(await a.type("y", 0)).toEqual({ ok: true });
    await eventually(async () => (await compactions()) > compactedBefore, 20_000);
    const items = await allHistory(id, 500);
    expect(items).toHaveLength(121);
    expect(items.slice(0, early.length)).toEqual(early);
    expect(replay(items)).toBe(a.text());
    expect((await get(`/api/sessions/${id}/document`, mentor, 1)).body.text).toBe(a.text());
    const mid = early[early.length - 1].createdAt;
    expect((await get(`/api/sessions/${id}/document?at=${mid}`)).body.text).toBe(replay(items.filter((i) => i.createdAt <= mid)));
    // a node that loads the document now starts from the snapshot and gets the same text
    const late = await client(learners[1], id, 1);
    expect(late.text()).toBe(a.text());
  });

  it("refuses bad cursors, limits and times; members only", async () => {
    const id = await liveSession("x");
    const other = await liveSession("y");
    const page = (await get(`/api/sessions/${other}/history?limit=1`)).body;
    expect(page.updates).toHaveLength(1);
    expect(page.nextCursor).toBeNull();
    const [{ id: foreign }] = page.updates as HistoryItem[];
    for (const after of ["nope", foreign, `${foreign.slice(0, -1)}A`, "1.AAAAAAAAAAAAAAAA"]) {
      const res = await get(`/api/sessions/${id}/history?after=${encodeURIComponent(after)}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("INVALID_PAYLOAD");
    }
    for (const limit of ["0", "501", "many"]) {
      expect((await get(`/api/sessions/${id}/history?limit=${limit}`)).status).toBe(400);
    }
    for (const at of ["yesterday", "2026-13-45T00:00:00Z", "12345"]) {
      const res = await get(`/api/sessions/${id}/document?at=${encodeURIComponent(at)}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("INVALID_PAYLOAD");
    }
    for (const path of ["history", "authors", `document?at=${new Date().toISOString()}`]) {
      expect((await get(`/api/sessions/${id}/${path}`, outsider)).status).toBe(403);
      expect((await get(`/api/sessions/00000000-0000-4000-8000-000000000000/${path}`)).status).toBe(404);
      expect((await get(`/api/sessions/not-an-id/${path}`)).status).toBe(400);
      expect((await api(nodes[0], "GET", `/api/sessions/${id}/${path}`)).status).toBe(401);
    }
  });
});
