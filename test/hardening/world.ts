/**
 * An in-process server (createServer on a fresh test database, in-memory engine, limits off) with one user of
 * every role the authorization matrix and the fuzz suite speak as, and the cohorts, session, review and
 * invitation they act on.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadConfig } from "../../src/config/config.js";
import { createServer, type ServerHandle } from "../../src/server.js";
import { createMigratedDatabase } from "../support/databases.js";
import { api, uniqueEmail } from "../support/rest.js";
import { ADMIN_EMAIL, JWT_SECRET } from "../support/servers.js";

export const ROLES = ["admin", "owner", "cohortMentor", "learner", "otherMember", "removed", "anonymous"] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  id: string;
  email: string;
  password: string;
  token: string;
}

export interface World {
  url: string;
  dbUrl: string;
  server: ServerHandle;
  actors: Record<Exclude<Role, "anonymous">, Actor>;
  cohortId: string;
  otherCohortId: string;
  sessionId: string;
  reviewId: string | null;
  /** The review's assigned reviewer (a learner of the cohort who has no other role here). */
  reviewer: Actor;
  invitation: { id: string; code: string };
  register(email: string): Promise<Actor>;
  /** Every id of every table, for "wrong ids" and "other users' ids". */
  ids(): Promise<string[]>;
  /** A digest of every table's rows: equal before and after means nothing was written. */
  checksum(): Promise<string>;
  /** A fresh access token of the actor's current epoch and role (after a fuzzed logout-all or role change). */
  reissue(): Promise<void>;
  close(): Promise<void>;
}

function must<T>(res: { status: number; body: any }, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  const db = await createMigratedDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    JWT_SECRET,
    ADMIN_EMAILS: ADMIN_EMAIL,
    PORT: "0",
    LOG_LEVEL: "silent",
    AUTH_RATE_LIMIT: "0",
    SOCKET_RATE_LIMIT: "0",
    MAX_SOCKETS_PER_USER: "0",
    CONNECT_RATE_LIMIT: "0",
    SCRYPT_LOG_N: "14",
    ...env,
  });
  // one connection for the fixture's own reads and checksums (a new connection per query costs more than the query)
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const query = async <T>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as T[];
  const server = createServer(config);
  const port = await server.start();
  const url = `http://127.0.0.1:${port}`;

  const register = async (email: string): Promise<Actor> => {
    const password = `pw-${randomBytes(6).toString("hex")}`;
    const body = must<any>(
      await api(url, "POST", "/api/auth/register", { body: { email, password, displayName: email.slice(0, 20) } }),
      201,
      "register",
    );
    return { id: body.user.id, email, password, token: body.accessToken };
  };
  const admin = await register(ADMIN_EMAIL);
  const owner = await register(uniqueEmail("owner"));
  must(await api(url, "PATCH", `/api/users/${owner.id}/role`, { token: admin.token, body: { role: "mentor" } }), 200, "promote");
  const [cohortMentor, learner, otherMember, removed, reviewer] = await Promise.all(
    ["cm", "learner", "other", "removed", "reviewer"].map((t) => register(uniqueEmail(t))),
  );
  const relogin = async (a: Actor) => {
    const body = must<any>(
      await api(url, "POST", "/api/auth/login", { body: { email: a.email, password: a.password } }),
      200,
      "login",
    );
    a.token = body.accessToken;
  };
  await relogin(owner);
  const cohort = must<any>(
    await api(url, "POST", "/api/cohorts", {
      token: owner.token,
      body: { name: "X", slug: `x-${randomBytes(4).toString("hex")}` },
    }),
    201,
    "cohort",
  ).cohort;
  const other = must<any>(
    await api(url, "POST", "/api/cohorts", {
      token: admin.token,
      body: { name: "Y", slug: `y-${randomBytes(4).toString("hex")}` },
    }),
    201,
    "cohort",
  ).cohort;
  const add = async (cohortId: string, a: Actor, role: string) =>
    must(
      await api(url, "POST", `/api/cohorts/${cohortId}/members`, { token: owner.token, body: { userId: a.id, role } }),
      201,
      "add",
    );
  await add(cohort.id, cohortMentor!, "mentor");
  await add(cohort.id, learner!, "learner");
  await add(cohort.id, reviewer!, "learner");
  await add(cohort.id, removed!, "learner");
  must(
    await api(url, "POST", `/api/cohorts/${other.id}/members`, {
      token: admin.token,
      body: { userId: otherMember!.id, role: "learner" },
    }),
    201,
    "add other",
  );
  must(await api(url, "DELETE", `/api/cohorts/${cohort.id}/members/${removed!.id}`, { token: owner.token }), 204, "remove");
  const session = must<any>(
    await api(url, "POST", `/api/cohorts/${cohort.id}/sessions`, {
      token: owner.token,
      body: { title: "S", language: "ts", initialCode: "let a = 1;" },
    }),
    201,
    "session",
  ).session;
  must(await api(url, "POST", `/api/sessions/${session.id}/start`, { token: owner.token }), 200, "start");
  const review = await api(url, "POST", `/api/cohorts/${cohort.id}/reviews`, {
    token: learner!.token,
    body: { title: "R", language: "ts", code: "let b = 2;", reviewerIds: [reviewer!.id] },
  });
  const invitation = must<any>(
    await api(url, "POST", `/api/cohorts/${cohort.id}/invitations`, {
      token: owner.token,
      body: { role: "learner", maxUses: 1000 },
    }),
    201,
    "invitation",
  ).invitation;

  // the VAPID key pair is made (and stored) at its first use: make it now, so later reads write nothing
  await api(url, "GET", "/api/push/key");

  const actors = { admin, owner, cohortMentor: cohortMentor!, learner: learner!, otherMember: otherMember!, removed: removed! };
  const fixtureRoles: Record<string, string> = { [admin.id]: "admin", [owner.id]: "mentor" };
  return {
    url,
    dbUrl: db.url,
    server,
    actors,
    cohortId: cohort.id,
    otherCohortId: other.id,
    sessionId: session.id,
    reviewId: review.status === 201 ? (review.body.review.id as string) : null,
    reviewer: reviewer!,
    invitation: { id: invitation.id, code: invitation.code },
    register,
    async ids() {
      const tables = await query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id' AND data_type = 'uuid'`,
      );
      const rows = await Promise.all(tables.map((t) => query<{ id: string }>(`SELECT id FROM "${t.table_name}" LIMIT 50`)));
      return rows.flat().map((r) => r.id);
    },
    async reissue() {
      for (const a of Object.values(actors)) {
        const role = fixtureRoles[a.id] ?? "learner";
        const [row] = await query<{ token_epoch: number }>("UPDATE users SET role = $2 WHERE id = $1 RETURNING token_epoch", [
          a.id,
          role,
        ]);
        await server.core.access.changed(a.id);
        a.token = server.core.tokens.sign(a.id, role, row?.token_epoch ?? 0).token;
      }
    },
    checksum: () => tablesChecksum(query),
    async close() {
      await client.end();
      await server.stop();
      await db.drop();
    },
  };
}

async function tablesChecksum(query: <T>(text: string) => Promise<T[]>): Promise<string> {
  const tables = await query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const parts = tables.map(
    (t) =>
      `SELECT '${t.table_name}' AS t, md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) AS h FROM "${t.table_name}" x`,
  );
  const rows = await query<{ t: string; h: string }>(parts.join(" UNION ALL "));
  return rows
    .map((r) => `${r.t}:${r.h}`)
    .sort()
    .join(";");
}
