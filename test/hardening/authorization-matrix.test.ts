/**
 * The authorization matrix, generated from the contract: every REST route of `apiRoutes` and every client event
 * of `clientEventTable`, sent with a valid payload by each role. EXPECTED (below, the one place) lists who is
 * allowed; everyone else must be refused (401 anonymous, 403 or 404 otherwise; an ack error for events).
 */
import { createECDH, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { apiRoutes, clientEventTable, type RouteDef } from "../../src/contract/index.js";
import { api, uniqueEmail } from "../support/rest.js";
import type { ClientToServerEvents } from "../support/contract.js";
import { connect, emitAck, type ClientSocket, type Payload } from "../support/sockets.js";
import { ROLES, startWorld, type Actor, type Role, type World } from "./world.js";

type Authed = Exclude<Role, "anonymous">;
const EVERYONE: Role[] = [...ROLES];
const LOGGED_IN: Role[] = ["admin", "owner", "cohortMentor", "learner", "otherMember", "removed"];
const MEMBERS: Role[] = ["admin", "owner", "cohortMentor", "learner"];
const MENTORS: Role[] = ["admin", "owner", "cohortMentor"];
const GLOBAL_MENTORS: Role[] = ["admin", "owner"];

/** Who may call each route and send each event (admin, owner = creator of cohort X and a global mentor,
 * cohortMentor = mentor of X whose global role is learner, learner = learner of X and author of its review,
 * otherMember = learner of cohort Y only, removed = removed from X, anonymous = no token). */
const EXPECTED: Record<keyof typeof apiRoutes | keyof typeof clientEventTable, Role[]> = {
  register: EVERYONE,
  login: EVERYONE,
  refresh: EVERYONE,
  logout: EVERYONE,
  resetPassword: EVERYONE,
  logoutAll: LOGGED_IN,
  changePassword: LOGGED_IN,
  me: LOGGED_IN,
  findUser: GLOBAL_MENTORS,
  setRole: ["admin"],
  createPasswordReset: ["admin"],
  createCohort: GLOBAL_MENTORS,
  listCohorts: LOGGED_IN,
  getCohort: MEMBERS,
  listMembers: MEMBERS,
  addMember: GLOBAL_MENTORS,
  setMemberRole: MENTORS,
  removeMember: MENTORS,
  createInvitation: MENTORS,
  listInvitations: MENTORS,
  deleteInvitation: MENTORS,
  acceptInvitation: LOGGED_IN,
  createSession: MENTORS,
  listSessions: MEMBERS,
  getSession: MEMBERS,
  startSession: MENTORS,
  endSession: MENTORS,
  getDocument: MEMBERS,
  getChat: MEMBERS,
  getHistory: MEMBERS,
  getAuthors: MEMBERS,
  createReview: MEMBERS,
  listReviews: MEMBERS,
  getReview: MEMBERS,
  commentReview: MEMBERS,
  giveVerdict: [],
  reviseReview: ["learner"],
  closeReview: MEMBERS,
  listNotifications: LOGGED_IN,
  unreadCount: LOGGED_IN,
  markRead: LOGGED_IN,
  createAnnouncement: MENTORS,
  listAnnouncements: MEMBERS,
  streamNotifications: LOGGED_IN,
  pushKey: EVERYONE,
  registerDevice: LOGGED_IN,
  listDevices: LOGGED_IN,
  deleteDevice: LOGGED_IN,
  "auth:refresh": LOGGED_IN,
  "session:join": MEMBERS,
  "session:leave": MEMBERS,
  "doc:update": MEMBERS,
  "doc:sync": MEMBERS,
  "awareness:update": MEMBERS,
  "chat:send": MEMBERS,
  "chat:history": MEMBERS,
  "review:subscribe": MEMBERS,
  "review:unsubscribe": MEMBERS,
  "notifications:sync": LOGGED_IN,
};

interface Input {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

describe("authorization matrix from the contract", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  const as = (role: Role) => (role === "anonymous" ? undefined : w.actors[role].token);
  const owner = () => w.actors.owner.token;
  const call = (method: string, path: string, token: string | undefined, body?: unknown) =>
    api(w.url, method, path, { token, body });
  const fresh = () => w.register(uniqueEmail("m"));
  const freshLogin = async (a: Actor) =>
    (await call("POST", "/api/auth/login", undefined, { email: a.email, password: a.password })).body as { refreshToken: string };
  const freshSession = async () =>
    (await call("POST", `/api/cohorts/${w.cohortId}/sessions`, owner(), { title: "T", language: "ts" })).body.session
      .id as string;
  const freshReview = async () =>
    (
      await call("POST", `/api/cohorts/${w.cohortId}/reviews`, w.actors.learner.token, {
        title: "R",
        language: "ts",
        code: "x",
        reviewerIds: [w.reviewer.id],
      })
    ).body.review.id as string;

  const device = () => ({
    kind: "webpush",
    subscription: {
      endpoint: `https://push.example.test/${randomBytes(8).toString("hex")}`,
      keys: {
        p256dh: createECDH("prime256v1").generateKeys().toString("base64url"),
        auth: randomBytes(16).toString("base64url"),
      },
    },
  });

  /** A valid request of each route for `role`; mutating routes get fresh targets so every role meets the same state. */
  const inputs: Record<keyof typeof apiRoutes, (role: Role) => Promise<Input>> = {
    register: async () => ({ body: { email: uniqueEmail(), password: "long enough", displayName: "N" } }),
    login: async () => ({ body: { email: w.reviewer.email, password: w.reviewer.password } }),
    refresh: async () => ({ body: { refreshToken: (await freshLogin(w.reviewer)).refreshToken } }),
    logout: async () => ({ body: { refreshToken: (await freshLogin(w.reviewer)).refreshToken } }),
    resetPassword: async () => {
      const target = await fresh();
      const reset = await call("POST", `/api/users/${target.id}/password-reset`, w.actors.admin.token);
      return { body: { resetToken: reset.body.resetToken, newPassword: "another password" } };
    },
    logoutAll: async () => ({}),
    changePassword: async (role) => {
      const a = role === "anonymous" ? w.reviewer : w.actors[role];
      return { body: { currentPassword: a.password, newPassword: a.password } };
    },
    me: async () => ({}),
    findUser: async () => ({ query: { email: w.actors.learner.email } }),
    setRole: async () => ({ params: { id: (await fresh()).id }, body: { role: "learner" } }),
    createPasswordReset: async () => ({ params: { id: w.reviewer.id } }),
    createCohort: async () => ({ body: { name: "C", slug: `c-${randomBytes(5).toString("hex")}` } }),
    listCohorts: async () => ({}),
    getCohort: async () => ({ params: { id: w.cohortId } }),
    listMembers: async () => ({ params: { id: w.cohortId } }),
    addMember: async () => ({ params: { id: w.cohortId }, body: { userId: (await fresh()).id, role: "learner" } }),
    setMemberRole: async () => ({ params: { id: w.cohortId, userId: w.reviewer.id }, body: { role: "learner" } }),
    removeMember: async () => {
      const target = await fresh();
      await call("POST", `/api/cohorts/${w.cohortId}/members`, owner(), { userId: target.id, role: "learner" });
      return { params: { id: w.cohortId, userId: target.id } };
    },
    createInvitation: async () => ({ params: { id: w.cohortId }, body: { role: "learner" } }),
    listInvitations: async () => ({ params: { id: w.cohortId } }),
    deleteInvitation: async () => {
      const inv = await call("POST", `/api/cohorts/${w.cohortId}/invitations`, owner(), { role: "learner" });
      return { params: { id: inv.body.invitation.id } };
    },
    acceptInvitation: async () => {
      // a cohort of its own, so accepting changes nobody's standing in cohort X
      const z = await call("POST", "/api/cohorts", owner(), { name: "Z", slug: `z-${randomBytes(5).toString("hex")}` });
      const inv = await call("POST", `/api/cohorts/${z.body.cohort.id}/invitations`, owner(), { role: "learner" });
      return { params: { code: inv.body.invitation.code } };
    },
    createSession: async () => ({ params: { id: w.cohortId }, body: { title: "T", language: "ts" } }),
    listSessions: async () => ({ params: { id: w.cohortId } }),
    getSession: async () => ({ params: { id: w.sessionId } }),
    startSession: async () => ({ params: { id: await freshSession() } }),
    endSession: async () => {
      const id = await freshSession();
      await call("POST", `/api/sessions/${id}/start`, owner());
      return { params: { id } };
    },
    getDocument: async () => ({ params: { id: w.sessionId } }),
    getChat: async () => ({ params: { id: w.sessionId } }),
    getHistory: async () => ({ params: { id: w.sessionId } }),
    getAuthors: async () => ({ params: { id: w.sessionId } }),
    createReview: async () => ({
      params: { id: w.cohortId },
      body: { title: "R", language: "ts", code: "x", reviewerIds: [w.reviewer.id] },
    }),
    listReviews: async () => ({ params: { id: w.cohortId } }),
    getReview: async () => ({ params: { id: w.reviewId! } }),
    commentReview: async () => ({ params: { id: w.reviewId! }, body: { body: "a comment" } }),
    giveVerdict: async () => ({ params: { id: await freshReview() }, body: { verdict: "approve" } }),
    reviseReview: async () => {
      const id = await freshReview();
      await call("POST", `/api/reviews/${id}/verdict`, w.reviewer.token, { verdict: "request_changes" });
      return { params: { id }, body: { code: "y" } };
    },
    closeReview: async () => ({ params: { id: await freshReview() } }),
    listNotifications: async () => ({}),
    unreadCount: async () => ({}),
    markRead: async () => ({ body: { ids: [] } }),
    createAnnouncement: async () => ({ params: { id: w.cohortId }, body: { title: "A", body: "text" } }),
    listAnnouncements: async () => ({ params: { id: w.cohortId } }),
    streamNotifications: async () => ({}),
    pushKey: async () => ({}),
    registerDevice: async () => ({ body: device() }),
    listDevices: async () => ({}),
    deleteDevice: async (role) => {
      // each caller's own device (anonymous: the reviewer's)
      const token = role === "anonymous" ? w.reviewer.token : w.actors[role].token;
      const created = await call("POST", "/api/devices", token, device());
      return { params: { id: created.body.device.id } };
    },
  };

  /** An event stream never ends: its status is all the matrix needs. */
  const streamStatus = async (path: string, token: string | undefined) => {
    const abort = new AbortController();
    const res = await fetch(w.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
    abort.abort();
    return { status: res.status, body: {} as unknown };
  };

  it("lists every route and event of the contract, and nothing else", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...Object.keys(apiRoutes), ...Object.keys(clientEventTable)].sort());
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(apiRoutes).sort());
  });

  it("every REST route × every role", async () => {
    const mismatches: string[] = [];
    for (const name of Object.keys(apiRoutes) as (keyof typeof apiRoutes)[]) {
      const def = apiRoutes[name] as RouteDef;
      for (const role of ROLES) {
        const input = await inputs[name](role);
        let path = def.path;
        for (const [k, v] of Object.entries(input.params ?? {})) path = path.replace(`:${k}`, encodeURIComponent(v));
        if (input.query) path += `?${new URLSearchParams(input.query)}`;
        const res =
          name === "streamNotifications"
            ? await streamStatus(path, as(role))
            : await call(def.method.toUpperCase(), path, as(role), def.method === "get" ? undefined : (input.body ?? {}));
        const allowed = EXPECTED[name].includes(role);
        const ok = allowed
          ? res.status === def.status
          : role === "anonymous"
            ? res.status === 401
            : [403, 404].includes(res.status);
        if (!ok)
          mismatches.push(
            `${name} as ${role}: ${allowed ? "allowed" : "denied"} expected, got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
          );
        // logout-all and a password change end the caller's tokens: the fixture gets fresh ones
        if (name === "logoutAll" || name === "changePassword") await w.reissue();
      }
    }
    expect(mismatches).toEqual([]);
  }, 300_000);

  it("every client event × every role (anonymous cannot connect)", async () => {
    const connectAs = (token: string | undefined) => connect(w, token, { transports: ["websocket"] });
    await expect(connectAs(undefined)).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });

    const doc = new Y.Doc();
    doc.getText("code").insert(0, "matrix");
    const update = Y.encodeStateAsUpdate(doc);
    const payloads: { [E in keyof ClientToServerEvents]: (role: Authed) => Payload<E> } = {
      "auth:refresh": (role) => ({ token: w.actors[role].token }),
      "session:join": () => ({ sessionId: w.sessionId }),
      "session:leave": () => ({ sessionId: w.sessionId }),
      "doc:update": () => ({ sessionId: w.sessionId, update }),
      "doc:sync": () => ({ sessionId: w.sessionId, stateVector: Y.encodeStateVector(new Y.Doc()) }),
      "awareness:update": () => ({ sessionId: w.sessionId, state: { cursor: 1 } }),
      "chat:send": () => ({ sessionId: w.sessionId, body: "hello", clientId: randomUUID() }),
      "chat:history": () => ({ sessionId: w.sessionId }),
      "review:subscribe": () => ({ reviewId: w.reviewId! }),
      "review:unsubscribe": () => ({ reviewId: w.reviewId! }),
      "notifications:sync": () => ({}),
    };
    const send = <E extends keyof ClientToServerEvents>(socket: ClientSocket, event: E, role: Authed) =>
      emitAck(socket, event, payloads[event](role));
    const mismatches: string[] = [];
    for (const role of ROLES.filter((r): r is Authed => r !== "anonymous")) {
      const socket = await connectAs(w.actors[role].token);
      for (const event of Object.keys(clientEventTable) as (keyof typeof clientEventTable)[]) {
        // events inside a session are sent by a socket that asked to join it first (refused or not)
        if (event !== "session:join" && event.match(/^(doc|awareness|chat|session:leave)/))
          await emitAck(socket, "session:join", { sessionId: w.sessionId });
        const ack = await send(socket, event, role);
        const allowed = EXPECTED[event].includes(role);
        const ok = allowed ? ack.ok === true : ack.ok === false && ["FORBIDDEN", "NOT_FOUND"].includes(ack.error.code);
        if (!ok)
          mismatches.push(
            `${event} as ${role}: ${allowed ? "allowed" : "denied"} expected, got ${JSON.stringify(ack).slice(0, 160)}`,
          );
      }
      socket.close();
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
