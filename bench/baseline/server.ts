/**
 * The plain server cohort-live is measured against: what a team would write by hand with socket.io,
 * @socket.io/redis-adapter and pg. A JWT check at connect and the product's event names and tables, and
 * nothing else: no validation, permissions, presence, metrics or rate limits.
 *
 *   DATABASE_URL=… REDIS_URL=… JWT_SECRET=… PORT=0 tsx bench/baseline/server.ts
 */
import { createServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import pg from "pg";
import { Server, type Socket } from "socket.io";
import * as Y from "yjs";
import { loadSettings, requireToken, serve } from "./plain.js";

const env = loadSettings("baseline:");

type Ack = (response: Record<string, unknown>) => void;
interface SessionPayload {
  sessionId: string;
}

const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
const pub = new Redis(env.REDIS_URL);
const sub = pub.duplicate();
const secret = env.JWT_SECRET;
const http = createServer((req, res) => {
  res.writeHead(req.url === "/health" ? 200 : 404).end();
});
const io = new Server(http, {
  adapter: createAdapter(pub, sub, { key: `${env.REDIS_PREFIX}socket.io` }),
});
const room = (sessionId: string) => `session:${sessionId}`;

requireToken(io, secret);

function on<P>(socket: Socket, event: string, run: (payload: P) => Promise<Record<string, unknown>>) {
  socket.on(event, (payload: P, ack?: Ack) => {
    run(payload).then(
      (result) => ack?.({ ok: true, ...result }),
      (err: Error) => ack?.({ ok: false, error: { code: "INTERNAL", message: err.message } }),
    );
  });
}

io.on("connection", (socket) => {
  const userId = socket.data.userId as string;

  on<SessionPayload>(socket, "session:join", async ({ sessionId }) => {
    await socket.join(room(sessionId));
    const [updates, chat] = await Promise.all([
      db.query<{ update: Buffer }>("SELECT update FROM doc_updates WHERE session_id = $1 ORDER BY id", [sessionId]),
      db.query("SELECT * FROM chat_messages WHERE session_id = $1 ORDER BY created_at DESC LIMIT 50", [sessionId]),
    ]);
    const state = updates.rows.length
      ? Y.mergeUpdates(updates.rows.map((r) => new Uint8Array(r.update)))
      : new Uint8Array([0, 0]);
    return { state, presence: [], awareness: [], chat: chat.rows.reverse() };
  });

  on<SessionPayload & { update: Buffer }>(socket, "doc:update", async ({ sessionId, update }) => {
    await db.query("INSERT INTO doc_updates (session_id, update) VALUES ($1, $2)", [sessionId, update]);
    socket.to(room(sessionId)).emit("doc:update", { sessionId, update, userId });
    return {};
  });

  on<SessionPayload & { state: unknown; clientId?: number }>(
    socket,
    "awareness:update",
    async ({ sessionId, state, clientId }) => {
      socket.to(room(sessionId)).emit("awareness:update", { sessionId, userId, clientId: clientId ?? null, state });
      return {};
    },
  );

  on<SessionPayload & { body: string; clientId: string }>(socket, "chat:send", async ({ sessionId, body, clientId }) => {
    const { rows } = await db.query(
      `INSERT INTO chat_messages (session_id, author_id, client_id, body) VALUES ($1, $2, $3, $4)
       RETURNING id, session_id, author_id, body, created_at`,
      [sessionId, userId, clientId, body],
    );
    const message = rows[0] as Record<string, unknown>;
    io.to(room(sessionId)).emit("chat:message", { sessionId, message });
    return { message };
  });
});

serve(http, io, env.PORT, () => [db.end(), pub.quit(), sub.quit()]);
