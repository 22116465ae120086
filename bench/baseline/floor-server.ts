/**
 * The floor of the big-docs scenario: the least any Socket.IO server could do for that load, to tell what the
 * machine allows from what cohort-live costs. Socket.IO with @socket.io/redis-adapter and a JWT check at connect;
 * `session:join` joins the room and answers with the session's document as merged once, at its first join, from
 * the database cohort-live wrote (the snapshot and the log), and never again; `doc:update` is relayed to the room
 * and acknowledged at once, stored nowhere. No validation, permissions, presence, chat, limits or metrics.
 * With FLOOR_DURABLE=1, each `doc:update` is first INSERTed into cohort-live's log (one statement per update, as
 * the baseline server does) and acknowledged after its commit: the floor of a server whose acks mean stored.
 *
 *   DATABASE_URL=… REDIS_URL=… JWT_SECRET=… PORT=0 tsx bench/baseline/floor-server.ts
 */
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import pg from "pg";
import { Server } from "socket.io";
import * as Y from "yjs";
import { loadSettings, requireToken, serve } from "./plain.js";

const env = loadSettings("floor:");

const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: env.durable ? 10 : 4 });
const pub = new Redis(env.REDIS_URL);
const sub = pub.duplicate();
const http = createServer((req, res) => {
  res.writeHead(req.url === "/healthz" ? 200 : 404).end();
});
const io = new Server(http, { adapter: createAdapter(pub, sub, { key: `${env.REDIS_PREFIX}socket.io` }) });
const room = (sessionId: string) => `session:${sessionId}`;

/** Each session's document, merged once. */
const states = new Map<string, Promise<Uint8Array>>();
async function loadState(sessionId: string): Promise<Uint8Array> {
  const { rows } = await db.query<{ data: Buffer }>(
    `SELECT state AS data FROM doc_snapshots WHERE session_id = $1
     UNION ALL SELECT update FROM (SELECT update, id FROM doc_updates WHERE session_id = $1 AND NOT compacted ORDER BY id) u`,
    [sessionId],
  );
  return Y.mergeUpdates(rows.map((r) => new Uint8Array(r.data)));
}
const stateOf = (sessionId: string) => {
  let state = states.get(sessionId);
  if (!state) states.set(sessionId, (state = loadState(sessionId)));
  return state;
};

requireToken(io, env.JWT_SECRET);

type Ack = (response: Record<string, unknown>) => void;
io.on("connection", (socket) => {
  const userId = socket.data.userId as string;
  socket.on("session:join", ({ sessionId }: { sessionId: string }, ack: Ack) => {
    void socket.join(room(sessionId));
    stateOf(sessionId).then(
      (state) => ack({ ok: true, session: { id: sessionId }, state, presence: [], awareness: [], chat: [] }),
      (err: Error) => ack({ ok: false, error: { code: "INTERNAL", message: err.message } }),
    );
  });
  socket.on("doc:update", ({ sessionId, update }: { sessionId: string; update: Buffer }, ack: Ack) => {
    const stored = env.durable
      ? db.query("INSERT INTO doc_updates (session_id, update, user_id) VALUES ($1, $2, $3)", [sessionId, update, userId])
      : Promise.resolve();
    stored.then(
      () => {
        socket.to(room(sessionId)).emit("doc:update", { sessionId, update, userId });
        ack({ ok: true });
      },
      (err: Error) => ack({ ok: false, error: { code: "INTERNAL", message: err.message } }),
    );
  });
});

serve(http, io, env.PORT, () => [db.end(), pub.quit(), sub.quit()]);
