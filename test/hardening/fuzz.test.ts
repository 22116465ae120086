/**
 * Property-based fuzzing of every REST route (`apiRoutes`) and every client event (`clientEventTable`) of the
 * contract, as every role: random and mutated payloads must only ever get contract answers (never 500, never
 * a hang), the process stays up with bounded memory, and a batch of refused calls leaves every table unchanged.
 * FUZZ_SEED reproduces a run; FUZZ_CASES sets the count (default 10,000).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes, clientEventTable, ERROR_STATUS, type RouteDef } from "../../src/contract/index.js";
import { FUZZ_CASES as CASES, FUZZ_SEED as SEED } from "../env.js";
import { connect, emitRawWithin, type ClientSocket, type RawAck } from "../support/sockets.js";
import { ROLES, startWorld, type Role, type World } from "./world.js";

const BATCH = 64;
const CALL_TIMEOUT_MS = 10_000;

/** Routes whose success changes the fixture's tokens or roles: the actors get fresh ones after. */
const ENDS_ACCESS = new Set<string>(["logoutAll", "changePassword", "setRole", "resetPassword"]);
const routeNames = Object.keys(apiRoutes) as (keyof typeof apiRoutes)[];
const eventNames = Object.keys(clientEventTable) as (keyof typeof clientEventTable)[];

const HUGE = "x".repeat(1_100_000);
const deep = (depth: number) => {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};
const DEEP = deep(3000);
const protoKeys = () => {
  const o: Record<string, unknown> = {};
  Object.defineProperty(o, "__proto__", { value: { isAdmin: true, role: "admin" }, enumerable: true });
  o["constructor"] = { prototype: { role: "admin" } };
  return o;
};

/** One leaf value: wrong types, nasty strings, ids of other things, and now and then something valid-looking. */
const leaf = (ids: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids) },
    fc.uuid(),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.constantFrom("\u0000", "a\u0000b", "\ud800", "x\udfffy", "\u202e", "", " ", "learner", "mentor", "admin", "approved"),
    fc.constantFrom("2026-01-01T00:00:00.000Z", "not-a-date", "AAAA", "-1", "1e309", "NaN"),
    fc.integer(),
    fc.constantFrom(0, -1, 1, 7, 1000, 1001, 2 ** 31, 1.5, Number.MAX_SAFE_INTEGER),
    fc.boolean(),
    fc.constant(null),
    fc.constant(HUGE.slice(0, 300_000)),
    fc.array(fc.constantFrom(...ids), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  );

const keysOf = (schema: unknown): string[] => {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
};

/** A payload for a schema: its own keys with fuzzed values, or something else entirely. */
const payload = (schema: unknown, ids: string[]) => {
  const keys = keysOf(schema);
  const shaped =
    keys.length > 0
      ? fc.record(Object.fromEntries(keys.map((k) => [k, leaf(ids)])), { requiredKeys: [] })
      : fc.constant({} as Record<string, unknown>);
  return fc.oneof(
    { weight: 16, arbitrary: shaped },
    { weight: 2, arbitrary: shaped.map((o) => Object.assign(protoKeys(), o)) },
    fc.jsonValue({ maxDepth: 3 }),
    fc.constant(DEEP),
    fc.constant({ [keys[0] ?? "x"]: HUGE }),
    fc.constant("__binary__"),
  );
};

interface RestCase {
  kind: "rest";
  route: keyof typeof apiRoutes;
  role: Role;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  raw: "json" | "broken-json" | "binary" | "none";
}
interface EventCase {
  kind: "event";
  event: keyof typeof clientEventTable;
  role: Role;
  payload: unknown;
  extraArg: boolean;
}

function cases(ids: string[]): (RestCase | EventCase)[] {
  const rest: fc.Arbitrary<RestCase> = fc.constantFrom(...routeNames).chain((route) => {
    const def = apiRoutes[route] as RouteDef;
    return fc.record({
      kind: fc.constant("rest" as const),
      route: fc.constant(route),
      role: fc.constantFrom(...ROLES),
      params: fc.record(Object.fromEntries(keysOf(def.params).map((k) => [k, leaf(ids)]))),
      query: fc.record(Object.fromEntries(keysOf(def.query).map((k) => [k, leaf(ids)])), { requiredKeys: [] }),
      body: payload(def.body, ids),
      raw: fc.constantFrom("json", "json", "json", "json", "broken-json", "binary", "none"),
    });
  });
  const events: fc.Arbitrary<EventCase> = fc.constantFrom(...eventNames).chain((event) =>
    fc.record({
      kind: fc.constant("event" as const),
      event: fc.constant(event),
      role: fc.constantFrom(...ROLES.filter((r) => r !== "anonymous")),
      payload: payload(clientEventTable[event].payload, ids),
      extraArg: fc.boolean().map((b) => b && Math.random() < 0.1),
    }),
  );
  return fc.sample(fc.oneof({ weight: 3, arbitrary: rest }, { weight: 2, arbitrary: events }), { numRuns: CASES, seed: SEED });
}

/** Percent-encodes every byte of the UTF-8 form (a lone surrogate becomes U+FFFD, as a client would send it). */
const encodeParam = (v: unknown) =>
  [...Buffer.from(typeof v === "string" ? v : (JSON.stringify(v) ?? "null"), "utf8")]
    .map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, "0")}`))
    .join("");

describe(`fuzzing the contract (seed ${SEED}, ${CASES} cases; FUZZ_SEED=${SEED} reproduces)`, () => {
  let world: World;
  const sockets = new Map<Role, ClientSocket>();
  const connectAs = (role: Exclude<Role, "anonymous">) => connect(world, world.actors[role].token, { transports: ["websocket"] });

  beforeAll(async () => {
    world = await startWorld();
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets.values()) s.close();
    await world?.close();
  });

  async function socketOf(role: Exclude<Role, "anonymous">): Promise<ClientSocket> {
    const s = sockets.get(role);
    if (s?.connected) return s;
    s?.close();
    // a fuzzed logout-all earlier in the batch ended this actor's token: reconnect with a fresh one
    const fresh = await connectAs(role).catch(async () => {
      await world.reissue();
      return connectAs(role);
    });
    sockets.set(role, fresh);
    return fresh;
  }

  /** Runs one case; returns whether it was refused (an error answer) and what went wrong, if anything. */
  async function run(
    c: RestCase | EventCase,
  ): Promise<{ refused: boolean; mutating: boolean; endsAccess?: boolean; problem?: string }> {
    if (c.kind === "rest") {
      const def = apiRoutes[c.route] as RouteDef;
      let path = def.path;
      for (const [k, v] of Object.entries(c.params)) path = path.replace(`:${k}`, encodeParam(v));
      const qs = new URLSearchParams(
        Object.entries(c.query).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : (JSON.stringify(v) ?? "")]),
      );
      const headers: Record<string, string> = {};
      const token = c.role === "anonymous" ? undefined : world.actors[c.role].token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | Uint8Array<ArrayBuffer> | undefined;
      if (def.method !== "get" && c.raw !== "none") {
        headers["content-type"] = c.raw === "binary" ? "application/octet-stream" : "application/json";
        if (c.raw === "binary" || c.body === "__binary__") body = new Uint8Array([0, 255, 1, 254, 0x7b, 0x22]);
        else if (c.raw === "broken-json") body = (JSON.stringify(c.body) ?? "").slice(0, -1) + "\u0000";
        else body = JSON.stringify(c.body) ?? "null";
      }
      const res = await fetch(`${world.url}${path}${qs.size ? `?${qs}` : ""}`, {
        method: def.method.toUpperCase(),
        headers,
        body,
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
      // an accepted event stream (SSE) never ends: its status is the answer
      if (res.ok && (res.headers.get("content-type") ?? "").includes("text/event-stream")) {
        await res.body?.cancel();
        return { refused: false, mutating: false };
      }
      const text = await res.text();
      const what = `${c.role} ${def.method.toUpperCase()} ${path.slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`;
      if (res.status < 400) return { refused: false, mutating: def.method !== "get", endsAccess: ENDS_ACCESS.has(c.route) };
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        return { refused: true, mutating: false, problem: `not a JSON error body: ${what}` };
      }
      if (!code || !(code in ERROR_STATUS)) return { refused: true, mutating: false, problem: `unknown error code: ${what}` };
      if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== res.status)
        return { refused: true, mutating: false, problem: `status and code disagree: ${what}` };
      if (res.status >= 500) return { refused: true, mutating: false, problem: `server error: ${what}` };
      return { refused: true, mutating: false };
    }
    const socket = await socketOf(c.role as Exclude<Role, "anonymous">);
    const value = c.payload === "__binary__" ? Buffer.from([1, 2, 3, 0, 255]) : c.payload;
    const args = c.extraArg ? [value, "extra"] : [value];
    const what = `${c.role} ${c.event}`;
    let ack: RawAck | undefined;
    try {
      ack = await emitRawWithin(CALL_TIMEOUT_MS, socket, c.event, ...args);
    } catch {
      // a socket that was ended (its access revoked by a fuzzed logout-all) is not a hang
      if (!socket.connected) return { refused: true, mutating: false };
      return { refused: true, mutating: false, problem: `no ack within ${CALL_TIMEOUT_MS} ms: ${what}` };
    }
    if (ack?.ok === true) return { refused: false, mutating: true };
    const code = ack?.error?.code;
    if (!code || !(code in ERROR_STATUS))
      return { refused: true, mutating: false, problem: `bad ack ${JSON.stringify(ack)}: ${what}` };
    if (code === "INTERNAL" || code === "UNAVAILABLE")
      return { refused: true, mutating: false, problem: `server error ack: ${what}` };
    return { refused: true, mutating: false };
  }

  it("every answer is a contract answer; refused calls write nothing; memory stays bounded", async () => {
    const all = cases(await world.ids());
    const problems: string[] = [];
    const rssBefore = process.memoryUsage().rss;
    let checksum = await world.checksum();
    let refusedBatches = 0;
    let counted = 0;
    for (let i = 0; i < all.length; i += BATCH) {
      const batch = all.slice(i, i + BATCH);
      const results = await Promise.all(
        batch.map((c) =>
          run(c).catch((err: Error) => ({
            refused: true,
            mutating: false,
            endsAccess: false,
            problem: `${c.kind} ${c.kind === "rest" ? c.route : c.event} as ${c.role} failed: ${err.message}`,
          })),
        ),
      );
      counted += results.length;
      for (const r of results) if (r.problem) problems.push(r.problem);
      if (problems.length > 0) break;
      const after = await world.checksum();
      if (results.every((r) => !r.mutating)) {
        refusedBatches++;
        if (after !== checksum) {
          const before = new Set(checksum.split(";"));
          const changed = after
            .split(";")
            .filter((t) => !before.has(t))
            .map((t) => t.split(":")[0]);
          problems.push(`a batch of refused calls changed ${changed.join(", ")} (cases ${i}..${i + BATCH - 1})`);
          break;
        }
      } else {
        // something was allowed: put the fixture's roles and tokens back (a fuzzed logout-all or role change)
        if (results.some((r) => r.endsAccess)) await world.reissue();
      }
      checksum = await world.checksum();
    }
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(problems, `seed ${SEED}: ${problems.slice(0, 5).join("\n")}`).toEqual([]);
    expect(counted).toBe(CASES);
    expect(refusedBatches, `seed ${SEED}`).toBeGreaterThan(0);
    expect(rssGrowth, `seed ${SEED}: rss grew by ${Math.round(rssGrowth / 1e6)} MB`).toBeLessThan(400e6);
    // still up and answering
    expect((await fetch(`${world.url}/healthz`)).status).toBe(200);
  }, 600_000);
});
