import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "../support/clusters.js";
import { api, makeUser, type TestUser } from "../support/rest.js";
import { type Node } from "../support/servers.js";
import { type ClientSocket, connect, emitAck, emitRaw, emitRawWithin, sendRaw } from "../support/sockets.js";
import { sleep } from "../support/time.js";
import type { ClientToServerEvents } from "../support/contract.js";

const MB = 1024 * 1024;

/**
 * Every client event of the contract that is implemented, with a sample payload and its own bad
 * payloads. Each row also gets the generic cases below (non-objects, binary, oversize, extra args).
 * Validation runs before any permission check, so none of this needs a real session or review.
 * When a domain adds an event, add its row here.
 */
interface EventCase {
  event: string;
  sample: Record<string, unknown>;
  /** Event-specific bad payloads; the code defaults to INVALID_PAYLOAD. */
  bad: [label: string, payload: unknown, code?: string][];
}
const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const KB = 1024;
const badRef = (key: string): EventCase["bad"] => [
  [`${key} is missing`, {}],
  [`${key} is a number`, { [key]: 5 }],
  [`${key} is not an id`, { [key]: "not-a-uuid" }],
  [`${key} is binary`, { [key]: Buffer.from(ID) }],
];
const EVENTS: EventCase[] = [
  {
    event: "notifications:sync",
    sample: {},
    bad: [
      ["after is a number", { after: 5 }],
      ["after is not an id", { after: "not-a-uuid" }],
      ["after is binary", { after: Buffer.from(ID) }],
      ["after is an object", { after: { id: "x" } }],
    ],
  },
  {
    event: "auth:refresh",
    sample: { token: "x" },
    bad: [
      ["token is missing", {}],
      ["token is a number", { token: 5 }],
      ["token is empty", { token: "" }],
      ["token is binary", { token: Buffer.from("abc") }],
      ["token is an array", { token: ["a"] }],
    ],
  },
  { event: "session:join", sample: { sessionId: ID }, bad: badRef("sessionId") },
  { event: "session:leave", sample: { sessionId: ID }, bad: badRef("sessionId") },
  {
    event: "doc:update",
    sample: { sessionId: ID, update: Buffer.from([0, 0]) },
    bad: [
      ...badRef("sessionId").map(([l, p]): [string, unknown] => [l, { update: Buffer.from([0, 0]), ...(p as object) }]),
      ["update is missing", { sessionId: ID }],
      ["update is text, not binary", { sessionId: ID, update: "AAA=" }],
      ["update is an array of numbers", { sessionId: ID, update: [0, 0] }],
      ["update is over 256 KB", { sessionId: ID, update: Buffer.alloc(256 * KB + 1) }, "PAYLOAD_TOO_LARGE"],
    ],
  },
  {
    event: "doc:sync",
    sample: { sessionId: ID, stateVector: Buffer.from([0]) },
    bad: [
      ["stateVector is missing", { sessionId: ID }],
      ["stateVector is text", { sessionId: ID, stateVector: "AA==" }],
      ["sessionId is missing", { stateVector: Buffer.from([0]) }],
    ],
  },
  {
    event: "awareness:update",
    sample: { sessionId: ID, state: { cursor: 1 } },
    bad: [
      ["state is missing", { sessionId: ID }],
      ["sessionId is not an id", { sessionId: "x", state: {} }],
      ["state is over 1 KB", { sessionId: ID, state: { name: "x".repeat(2 * KB) } }, "PAYLOAD_TOO_LARGE"],
    ],
  },
  {
    event: "chat:send",
    sample: { sessionId: ID, body: "hi", clientId: ID },
    bad: [
      ["body is empty", { sessionId: ID, body: "", clientId: ID }],
      ["body is over 2000 characters", { sessionId: ID, body: "x".repeat(2001), clientId: ID }],
      ["body is binary", { sessionId: ID, body: Buffer.from("hi"), clientId: ID }],
      ["body is a number", { sessionId: ID, body: 5, clientId: ID }],
      ["clientId is missing", { sessionId: ID, body: "hi" }],
      ["clientId is not an id", { sessionId: ID, body: "hi", clientId: "abc" }],
      ["sessionId is missing", { body: "hi", clientId: ID }],
    ],
  },
  {
    event: "chat:history",
    sample: { sessionId: ID },
    bad: [
      ...badRef("sessionId"),
      ["after is not an id", { sessionId: ID, after: "x" }],
      ["limit is 0", { sessionId: ID, limit: 0 }],
      ["limit is over 200", { sessionId: ID, limit: 201 }],
      ["limit is not a number", { sessionId: ID, limit: "many" }],
    ],
  },
  { event: "review:subscribe", sample: { reviewId: ID }, bad: badRef("reviewId") },
  { event: "review:unsubscribe", sample: { reviewId: ID }, bad: badRef("reviewId") },
];

/** Every client event of the typed event map: the compiler makes this list complete. */
const CONTRACT_EVENTS: Record<keyof ClientToServerEvents, true> = {
  "auth:refresh": true,
  "notifications:sync": true,
  "session:join": true,
  "session:leave": true,
  "doc:update": true,
  "doc:sync": true,
  "awareness:update": true,
  "chat:send": true,
  "chat:history": true,
  "review:subscribe": true,
  "review:unsubscribe": true,
};

function generic(c: EventCase): [label: string, args: unknown[], code: string][] {
  return [
    ["a string", ["hello"], "INVALID_PAYLOAD"],
    ["a number", [42], "INVALID_PAYLOAD"],
    ["a boolean", [true], "INVALID_PAYLOAD"],
    ["an array", [[c.sample]], "INVALID_PAYLOAD"],
    ["binary instead of JSON", [Buffer.from([1, 2, 3])], "INVALID_PAYLOAD"],
    ["two payloads", [c.sample, c.sample], "INVALID_PAYLOAD"],
    ["over 1 MB of JSON", [{ ...c.sample, padding: "x".repeat(MB + 100) }], "PAYLOAD_TOO_LARGE"],
    ["over 1 MB of binary", [Buffer.alloc(MB + 100)], "PAYLOAD_TOO_LARGE"],
    ...c.bad.map(([label, payload, code]): [string, unknown[], string] => [label, [payload], code ?? "INVALID_PAYLOAD"]),
  ];
}

async function metric(node: Node, event: string, outcome: string): Promise<number> {
  const text = (await api<string>(node, "GET", "/metrics")).body;
  const line = text.split("\n").find((l) => l.startsWith(`cohort_live_events_total{event="${event}",outcome="${outcome}"}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

describe("event payload validation, unknown events and the per-socket rate limit", () => {
  let cluster: Cluster;
  let user: TestUser;
  let node: Node;
  let limited: Node;
  const sockets: ClientSocket[] = [];
  const open = async (n: Node) => {
    const s = await connect(n, user.accessToken);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    cluster = await startCluster(1);
    // a second node of the same cluster with a tight rate limit (5 events/s, bursts of 10)
    limited = await cluster.addNode({ SOCKET_RATE_LIMIT: "5" });
    node = cluster.nodes[0]!;
    user = await makeUser(node);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await cluster?.close();
  });

  it("has a row for every client event of the contract", () => {
    expect(EVENTS.map((c) => c.event).sort()).toEqual(Object.keys(CONTRACT_EVENTS).sort());
  });

  for (const c of EVENTS) {
    it(`${c.event}: bad payloads are refused with INVALID_PAYLOAD or PAYLOAD_TOO_LARGE`, async () => {
      const socket = await open(node);
      const bystander = await open(node);
      for (const [label, args, code] of generic(c)) {
        const ack = await emitRaw(socket, c.event, ...args);
        expect(ack, `${c.event} with ${label}`).toEqual({ ok: false, error: { code, message: expect.any(String) } });
        // the node keeps serving others (and this socket) throughout
        expect(await emitAck(bystander, "notifications:sync", {})).toMatchObject({ ok: true });
      }
      expect(socket.connected).toBe(true);
    });
  }

  it("an event sent without an ack is still validated and counted", async () => {
    const socket = await open(node);
    const before = await metric(node, "notifications:sync", "INVALID_PAYLOAD");
    sendRaw(socket, "notifications:sync", { after: 12 });
    sendRaw(socket, "notifications:sync", "nope");
    await expect.poll(() => metric(node, "notifications:sync", "INVALID_PAYLOAD")).toBe(before + 2);
  });

  it("a payload nested too deeply to walk is INVALID_PAYLOAD, sent as a raw Socket.IO packet", async () => {
    const socket = await open(node);
    // socket.io-client's encoder would overflow its own stack on this, so write the packet to the transport
    const engine = socket.io.engine;
    const frames: string[] = [];
    engine.on("message", (d) => frames.push(String(d)));
    const deep = "[".repeat(20_000) + "]".repeat(20_000);
    engine.write(`2987["notifications:sync",{"after":${deep}}]`);
    await expect.poll(() => frames.find((f) => f.startsWith("3987")), { timeout: 10_000 }).toBeTruthy();
    const [ack] = JSON.parse(frames.find((f) => f.startsWith("3987"))!.slice(4)) as [unknown];
    expect(ack).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expect(socket.connected).toBe(true);
    expect(await emitAck(socket, "notifications:sync", {})).toMatchObject({ ok: true });
  });

  it('unknown events are ignored (no ack) and counted as event="unknown"', async () => {
    const socket = await open(node);
    const before = await metric(node, "unknown", "ignored");
    sendRaw(socket, "no:such:event", { a: 1 });
    await expect(emitRawWithin(500, socket, "admin:drop-tables", {})).rejects.toThrow();
    expect(await metric(node, "unknown", "ignored")).toBe(before + 2);
    expect(await emitAck(socket, "notifications:sync", {})).toMatchObject({ ok: true });
  });

  it("a flood is answered RATE_LIMITED while the node keeps serving another socket", async () => {
    const flooder = await open(limited);
    const other = await open(limited);
    const flood = Promise.all(Array.from({ length: 40 }, () => emitAck(flooder, "notifications:sync", {})));
    const othersAcks = [];
    for (let i = 0; i < 3; i++) {
      othersAcks.push(await emitAck(other, "notifications:sync", {}));
      expect((await api(limited, "GET", "/api/notifications/unread-count", { token: user.accessToken })).status).toBe(200);
    }
    const acks = await flood;
    const limitedAcks = acks.filter((a) => a.ok === false);
    expect(limitedAcks.length).toBeGreaterThan(0);
    for (const a of limitedAcks) expect(a.error?.code).toBe("RATE_LIMITED");
    expect(acks.some((a) => a.ok === true)).toBe(true);
    for (const a of othersAcks) expect(a).toMatchObject({ ok: true });
    expect(await metric(limited, "notifications:sync", "RATE_LIMITED")).toBe(limitedAcks.length);

    // the bucket refills: the flooder is served again after a pause
    await sleep(1000);
    expect(await emitAck(flooder, "notifications:sync", {})).toMatchObject({ ok: true });
    expect(flooder.connected).toBe(true);
  });
});
