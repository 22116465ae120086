/** MAX_SOCKETS_PER_USER and CONNECT_RATE_LIMIT across two nodes, and a failed handshake ending its connection. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startCluster, type Cluster } from "../support/clusters.js";
import { makeUser } from "../support/rest.js";
import { connect, type ClientSocket } from "../support/sockets.js";

const connectError = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: Error & { data?: { code?: string } }) => err.data?.code ?? err.message,
  );

describe("connection limits shared by the nodes of a cluster", () => {
  let cluster: Cluster;
  const open: ClientSocket[] = [];
  beforeAll(async () => {
    cluster = await startCluster(2, { env: { MAX_SOCKETS_PER_USER: "3", CONNECT_RATE_LIMIT: "0" } });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await cluster?.close();
  });

  it("MAX_SOCKETS_PER_USER counts a user's sockets on every node; the next is refused with RATE_LIMITED", async () => {
    const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const user = await makeUser(a);
    const other = await makeUser(a);
    open.push(await connect(a, user.accessToken), await connect(a, user.accessToken), await connect(b, user.accessToken));
    expect(await connectError(connect(b, user.accessToken))).toBe("RATE_LIMITED");
    expect(await connectError(connect(a, user.accessToken))).toBe("RATE_LIMITED");
    // another user is not affected
    open.push(await connect(b, other.accessToken));
    // a disconnect frees a place (on any node)
    open.shift()!.close();
    await new Promise((r) => setTimeout(r, 300));
    open.push(await connect(b, user.accessToken));
  });
});

describe("CONNECT_RATE_LIMIT per client IP, shared by the nodes", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster(2, { env: { CONNECT_RATE_LIMIT: "6", MAX_SOCKETS_PER_USER: "0" } });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("counts attempts (failed ones too) on both nodes; beyond the limit connect_error RATE_LIMITED", async () => {
    const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const user = await makeUser(a);
    const sockets: ClientSocket[] = [];
    sockets.push(await connect(a, user.accessToken), await connect(b, user.accessToken));
    expect(await connectError(connect(a, "not a token"))).toBe("UNAUTHORIZED");
    expect(await connectError(connect(b, "not a token"))).toBe("UNAUTHORIZED");
    sockets.push(await connect(a, user.accessToken), await connect(b, user.accessToken));
    // six attempts spent across the two nodes: the seventh is refused on either, even with a valid token
    expect(await connectError(connect(a, user.accessToken))).toBe("RATE_LIMITED");
    expect(await connectError(connect(b, user.accessToken))).toBe("RATE_LIMITED");
    for (const s of sockets) s.close();
  });

  it("a failed handshake closes the engine.io connection: no CONNECT retries on it", async () => {
    const node = cluster.nodes[1]!;
    // the limit above is spent for 127.0.0.1, so this connection's CONNECT packet is refused
    const ws = new WebSocket(`ws://127.0.0.1:${node.port}/socket.io/?EIO=4&transport=websocket`);
    const frames: string[] = [];
    ws.on("message", (data: Buffer) => {
      const text = data.toString();
      frames.push(text);
      if (text.startsWith("0")) ws.send(`40${JSON.stringify({ token: "not a token" })}`);
    });
    const closed = await new Promise<boolean>((resolve) => {
      ws.on("close", () => resolve(true));
      setTimeout(() => resolve(false), 5000);
    });
    expect(frames.some((f) => f.startsWith("44"))).toBe(true);
    expect(closed).toBe(true);
  });
});
