/**
 * Shared fixtures: a fresh PostgreSQL database and Redis prefix per test file, real server processes of
 * the built server (`dist/`), REST calls, users, cohorts and real socket.io-client sockets.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { io as ioClient, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../src/contract/index.js";
import { CHILD_PATH, TEST_DATABASE_URL, TEST_REDIS_URL } from "./env.js";

export { TEST_DATABASE_URL, TEST_REDIS_URL };
export const ROOT = new URL("..", import.meta.url).pathname;
export const MAIN = join(ROOT, "dist", "src", "main.js");
export const JWT_SECRET = "test-secret-0123456789abcdef";
export const ADMIN_EMAIL = "admin@cohort.test";

// ---------------------------------------------------------------- databases

function dbUrl(name: string) {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates an empty database for this test file; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `cl_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    name,
    url: dbUrl(name),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Runs SQL directly against a test database (for assertions on what is stored). */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export const redisPrefix = () => `cltest:${randomBytes(5).toString("hex")}:`;

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), "cohort-live-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------- server processes

export interface Node {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Every log line the process printed (stdout and stderr). */
  logs: string[];
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Tests open many connections and register many users from one address: the v2 per-IP and per-user
 * connection limits are off (`0`), as AUTH_RATE_LIMIT is, and passwords use the cheapest accepted scrypt
 * cost (SCRYPT_LOG_N, test-only below the default). A test of a limit sets it in its own env.
 */
export const TEST_LIMITS = { MAX_SOCKETS_PER_USER: "0", CONNECT_RATE_LIMIT: "0", SCRYPT_LOG_N: "14" };

/** Starts `node dist/src/main.js` with `env` (PORT=0) and resolves once it logs "listening". */
export function startNode(env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<Node> {
  const proc = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: CHILD_PATH, PORT: "0", LOG_LEVEL: "info", ...TEST_LIMITS, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return new Promise<Node>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${logs.join("\n")}`));
    }, timeoutMs);
    const onLine = (line: string) => {
      if (!line.trim()) return;
      logs.push(line);
      if (line.includes('"msg":"listening"')) {
        const port = Number(/"port":(\d+)/.exec(line)?.[1]);
        clearTimeout(timer);
        resolve({
          url: `http://127.0.0.1:${port}`,
          port,
          proc,
          logs,
          exited,
          stop: async (signal: NodeJS.Signals = "SIGTERM") => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    };
    for (const stream of [proc.stdout, proc.stderr]) {
      let buf = "";
      stream?.on("data", (chunk: Buffer) => {
        buf += chunk.toString();
        const lines = buf.split("\n");
        buf = lines.pop() ?? "";
        lines.forEach(onLine);
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join("\n")}`));
    });
  });
}

/** The environment of a node on the embedded default (PGlite in `dataDir`, in-memory engine), as tests use it. */
export const embeddedEnv = (dataDir: string, extra: Record<string, string> = {}) => ({
  DATA_DIR: dataDir,
  JWT_SECRET,
  ADMIN_EMAILS: ADMIN_EMAIL,
  AUTH_RATE_LIMIT: "0",
  ...extra,
});

/** One node on the embedded default in a fresh temp DATA_DIR; `close()` stops it and removes the directory. */
export async function startEmbeddedNode(extra: Record<string, string> = {}): Promise<Node & { close(): Promise<void> }> {
  const dir = tempDir();
  try {
    const node = await startNode(embeddedEnv(dir.path, extra));
    return Object.assign(node, {
      close: async () => {
        await node.stop();
        dir.remove();
      },
    });
  } catch (err) {
    dir.remove();
    throw err;
  }
}

export interface Cluster {
  nodes: Node[];
  dbUrl: string;
  env: Record<string, string>;
  /** Starts one more node on the same database and Redis prefix. */
  addNode(extra?: Record<string, string>): Promise<Node>;
  close(): Promise<void>;
}

/**
 * Starts `n` nodes sharing one fresh database and one Redis key prefix (cluster mode). With
 * `redis: false` a single embedded-Redis-less node on PostgreSQL.
 */
export async function startCluster(n = 2, opts: { env?: Record<string, string>; redis?: boolean } = {}): Promise<Cluster> {
  const db = await createTestDatabase();
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    JWT_SECRET,
    ADMIN_EMAILS: ADMIN_EMAIL,
    AUTH_RATE_LIMIT: "0",
    ...(opts.redis === false ? {} : { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: redisPrefix() }),
    ...opts.env,
  };
  const nodes: Node[] = [];
  // the first node migrates; the rest start in parallel
  nodes.push(await startNode(env));
  nodes.push(...(await Promise.all(Array.from({ length: n - 1 }, () => startNode(env)))));
  return {
    nodes,
    dbUrl: db.url,
    env,
    async addNode(extra = {}) {
      const node = await startNode({ ...env, ...extra });
      nodes.push(node);
      return node;
    },
    async close() {
      await Promise.all(nodes.map((node) => node.stop("SIGKILL")));
      await db.drop();
    },
  };
}

// ---------------------------------------------------------------- REST

export interface ApiResponse<T = Record<string, any>> {
  status: number;
  body: T;
  headers: Headers;
}

/** One REST call; `body` objects are sent as JSON, strings as-is. */
export async function api<T = Record<string, any>>(
  base: string | Node,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const url = (typeof base === "string" ? base : base.url) + path;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    headers["content-type"] ??= "application/json";
    payload = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

// ---------------------------------------------------------------- users and cohorts

export interface TestUser {
  id: string;
  email: string;
  password: string;
  displayName: string;
  role: "learner" | "mentor" | "admin";
  accessToken: string;
  refreshToken: string;
}

export const uniqueEmail = (tag = "user") => `${tag}-${randomBytes(5).toString("hex")}@cohort.test`;

/** Registers a user; `role` mentor is granted by a (lazily registered) admin of the same node's database. */
export async function makeUser(node: Node, role: "learner" | "mentor" | "admin" = "learner", name?: string): Promise<TestUser> {
  const email = role === "admin" ? ADMIN_EMAIL.replace("@", `+${randomBytes(3).toString("hex")}@`) : uniqueEmail(role);
  const password = `pw-${randomBytes(8).toString("hex")}`;
  const displayName = name ?? `${role} ${email.slice(0, 12)}`;
  const res = await api(node, "POST", "/api/auth/register", { body: { email, password, displayName } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const user: TestUser = {
    id: res.body.user.id,
    email,
    password,
    displayName,
    role: res.body.user.role,
    accessToken: res.body.accessToken,
    refreshToken: res.body.refreshToken,
  };
  if (role !== user.role) {
    const admin = await adminOf(node);
    const patched = await api(node, "PATCH", `/api/users/${user.id}/role`, { token: admin.accessToken, body: { role } });
    if (patched.status !== 200) throw new Error(`role change failed: ${patched.status} ${JSON.stringify(patched.body)}`);
    user.role = role;
  }
  return user;
}

const admins = new Map<string, Promise<TestUser>>();
/** An admin registered through ADMIN_EMAILS (the cluster sets ADMIN_EMAILS=admin@cohort.test). */
export function adminOf(node: Node): Promise<TestUser> {
  let admin = admins.get(node.url);
  if (!admin) {
    admin = (async () => {
      const password = `pw-${randomBytes(8).toString("hex")}`;
      const res = await api(node, "POST", "/api/auth/register", {
        body: { email: ADMIN_EMAIL, password, displayName: "Admin" },
      });
      if (res.status === 201) {
        return { ...res.body.user, password, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken } as TestUser;
      }
      throw new Error(`admin register failed (${res.status}); use one adminOf per database`);
    })();
    admins.set(node.url, admin);
  }
  return admin;
}

/** Makes `user` an admin-free mentor-owned cohort with `members` added as learners (or as given). */
export async function makeCohort(
  node: Node,
  mentor: TestUser,
  members: (TestUser | { user: TestUser; role: "learner" | "mentor" })[] = [],
): Promise<{ id: string; name: string; slug: string }> {
  const slug = `c-${randomBytes(5).toString("hex")}`;
  const res = await api(node, "POST", "/api/cohorts", { token: mentor.accessToken, body: { name: `Cohort ${slug}`, slug } });
  if (res.status !== 201) throw new Error(`cohort create failed: ${res.status} ${JSON.stringify(res.body)}`);
  const cohort = res.body.cohort;
  for (const m of members) {
    const { user, role } = "user" in m ? m : { user: m, role: "learner" as const };
    const added = await api(node, "POST", `/api/cohorts/${cohort.id}/members`, {
      token: mentor.accessToken,
      body: { userId: user.id, role },
    });
    if (added.status !== 201) throw new Error(`add member failed: ${added.status} ${JSON.stringify(added.body)}`);
  }
  return cohort;
}

// ---------------------------------------------------------------- sockets

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects a real socket.io-client socket (websocket transport) and resolves once connected. */
export function connect(
  node: Node | string,
  token: string | undefined,
  opts: { reconnection?: boolean } = {},
): Promise<ClientSocket> {
  const url = typeof node === "string" ? node : node.url;
  const socket: ClientSocket = ioClient(url, {
    auth: token === undefined ? {} : { token },
    transports: ["websocket"],
    reconnection: opts.reconnection ?? false,
    forceNew: true,
    timeout: 10_000,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Emits an event and resolves with its ack (rejects after `timeoutMs`). */
export function emitAck<T = Record<string, any>>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<T> {
  return (socket.timeout(10_000) as unknown as { emitWithAck: (e: string, ...a: unknown[]) => Promise<T> }).emitWithAck(
    event,
    ...args,
  );
}

/** Resolves with the next `event` payload matching `predicate`. */
export function nextEvent<T = any>(
  socket: ClientSocket,
  event: string,
  predicate: (payload: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const s = socket as unknown as { on: (e: string, f: (p: T) => void) => void; off: (e: string, f: (p: T) => void) => void };
    const timer = setTimeout(() => {
      s.off(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      s.off(event, handler);
      resolve(payload);
    };
    s.on(event, handler);
  });
}

/** Records every `event` payload a socket receives. */
export function record<T = any>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  (socket as unknown as { on: (e: string, f: (p: T) => void) => void }).on(event, (p: T) => seen.push(p));
  return seen;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns truthy or the time runs out. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error("condition not met in time");
    await sleep(everyMs);
  }
}

export const newId = () => randomUUID();

// ---------------------------------------------------------------- a private Redis (fault tests)

export interface PrivateRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: an outage, not a clean shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** (Re)starts it on the same port and resolves once it answers PING. */
  start(): Promise<void>;
}

async function freePort(): Promise<number> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function redisAnswers(port: number): Promise<boolean> {
  const net = await import("node:net");
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.setTimeout(1000);
    s.once("connect", () => s.write("PING\r\n"));
    s.once("data", (d) => (s.destroy(), resolve(d.toString().startsWith("+PONG"))));
    s.once("timeout", () => (s.destroy(), resolve(false)));
    s.once("error", () => resolve(false));
  });
}

/**
 * A throw-away `redis-server` child process on a free port, never the shared Redis other test files use:
 * for tests that stop and restart Redis under a cluster (`startCluster(n, { env: { REDIS_URL: redis.url } })`).
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const handle: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: "ignore",
      });
      await eventually(() => redisAnswers(port), 10_000, 50);
    },
    async stop() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGKILL");
      await exited;
    },
  };
  await handle.start();
  return handle;
}

// ---------------------------------------------------------------- live session documents (Yjs clients)

import * as Y from "yjs";

const REMOTE = Symbol("remote");

/**
 * A real Yjs client of one session's document: applies `doc:update`s it receives, sends each local edit
 * as `doc:update`, and catches up with `doc:sync`. `join` may be called again with a new socket (reconnect).
 */
export class DocClient {
  readonly doc = new Y.Doc();
  /** `doc:update` events received. */
  received = 0;
  socket!: ClientSocket;
  private readonly onUpdate = (p: { sessionId: string; update: Uint8Array }) => {
    if (p.sessionId !== this.sessionId) return;
    this.received++;
    Y.applyUpdate(this.doc, new Uint8Array(p.update), REMOTE);
  };

  constructor(readonly sessionId: string) {}

  /** Joins on `socket`; the ack's state is applied unless `applyState` is false (to test `doc:sync`). */
  async join(socket: ClientSocket, opts: { applyState?: boolean } = {}): Promise<Record<string, any>> {
    (this.socket as unknown as { off?: (e: string, f: unknown) => void } | undefined)?.off?.("doc:update", this.onUpdate);
    this.socket = socket;
    (socket as unknown as { on: (e: string, f: unknown) => void }).on("doc:update", this.onUpdate);
    const ack = await emitAck(socket, "session:join", { sessionId: this.sessionId });
    if (ack.ok && opts.applyState !== false) Y.applyUpdate(this.doc, new Uint8Array(ack.state), REMOTE);
    return ack;
  }

  text(): string {
    return this.doc.getText("code").toString();
  }

  /** Makes a local edit and returns its update, without sending it. */
  edit(change: (text: Y.Text) => void): Uint8Array {
    let update: Uint8Array | null = null;
    const capture = (u: Uint8Array) => (update = u);
    this.doc.once("update", capture);
    change(this.doc.getText("code"));
    if (!update) throw new Error("the edit changed nothing");
    return update;
  }

  /** Inserts `s` (at a random position unless `at` is given) and sends it; resolves with the ack. */
  type(s: string, at?: number): Promise<Record<string, any>> {
    const update = this.edit((t) => t.insert(at ?? Math.floor(Math.random() * (t.length + 1)), s));
    return emitAck(this.socket, "doc:update", { sessionId: this.sessionId, update });
  }

  /** `doc:sync`: applies what the server has and we lack, then sends what the server lacks. */
  async sync(): Promise<void> {
    const ack = await emitAck(this.socket, "doc:sync", { sessionId: this.sessionId, stateVector: Y.encodeStateVector(this.doc) });
    if (!ack.ok) throw new Error(`doc:sync failed: ${JSON.stringify(ack.error)}`);
    Y.applyUpdate(this.doc, new Uint8Array(ack.update), REMOTE);
    const missing = Y.encodeStateAsUpdate(this.doc, new Uint8Array(ack.stateVector));
    // an update carrying nothing encodes as two zero bytes
    if (missing.byteLength > 2) {
      const sent = await emitAck(this.socket, "doc:update", { sessionId: this.sessionId, update: missing });
      if (!sent.ok) throw new Error(`doc:update failed: ${JSON.stringify(sent.error)}`);
    }
  }
}
