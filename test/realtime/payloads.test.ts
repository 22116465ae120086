import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  type ClientSocket,
  type Cluster,
  connect,
  emitAck,
  makeUser,
  type Node,
  sleep,
  startCluster,
  type TestUser,
} from "../helpers.js";

const MB = 1024 * 1024;

/**
 * Every client event of the contract that is implemented, with a sample payload and its own bad
 * payloads. Each row also gets the generic cases below (non-objects, binary, oversize, extra args).
 * When a domain lands its handlers, add its events here.
 */
interface EventCase {
  event: string;
  sample: Record<string, unknown>;
  bad: [label: string, payload: unknown][];
}
const EVENTS: EventCase[] = [
  {
    event: "notifications:sync",
    sample: {},
    bad: [
      ["after is a number", { after: 5 }],
      ["after is not an id", { after: "not-a-uuid" }],
      ["after is binary", { after: Buffer.from("0f8fad5b-d9cb-469f-a165-70867728950e") }],
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
];

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
    ...c.bad.map(([label, payload]): [string, unknown[], string] => [label, [payload], "INVALID_PAYLOAD"]),
  ];
}

async function metric(node: Node, event: string, outcome: string): Promise<number> {
  const text = (await api(node, "GET", "/metrics")).body as unknown as string;
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

  for (const c of EVENTS) {
    it(`${c.event}: bad payloads are refused with INVALID_PAYLOAD or PAYLOAD_TOO_LARGE`, async () => {
      const socket = await open(node);
      const bystander = await open(node);
      for (const [label, args, code] of generic(c)) {
        const ack = await emitAck(socket, c.event, ...args);
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
    const raw = socket as unknown as { emit: (e: string, p: unknown) => void };
    raw.emit("notifications:sync", { after: 12 });
    raw.emit("notifications:sync", "nope");
    await expect.poll(() => metric(node, "notifications:sync", "INVALID_PAYLOAD")).toBe(before + 2);
  });

  it("unknown events are ignored (no ack) and counted as event=\"unknown\"", async () => {
    const socket = await open(node);
    const before = await metric(node, "unknown", "ignored");
    (socket as unknown as { emit: (e: string, p: unknown) => void }).emit("no:such:event", { a: 1 });
    await expect(
      (socket.timeout(500) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }).emitWithAck("admin:drop-tables", {}),
    ).rejects.toThrow();
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
    for (const a of limitedAcks) expect(a.error.code).toBe("RATE_LIMITED");
    expect(acks.some((a) => a.ok === true)).toBe(true);
    for (const a of othersAcks) expect(a).toMatchObject({ ok: true });
    expect(await metric(limited, "notifications:sync", "RATE_LIMITED")).toBe(limitedAcks.length);

    // the bucket refills: the flooder is served again after a pause
    await sleep(1000);
    expect(await emitAck(flooder, "notifications:sync", {})).toMatchObject({ ok: true });
    expect(flooder.connected).toBe(true);
  });
});
