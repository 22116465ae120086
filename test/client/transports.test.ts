import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startProcessCluster } from "../support/clusters.js";
import { type ProcessNode } from "../support/processes.js";
import { makeUser } from "../support/rest.js";
import { eventually } from "../support/time.js";

describe("Socket.IO transports", () => {
  let cluster: Cluster<ProcessNode>;
  beforeAll(async () => {
    cluster = await startProcessCluster(2);
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it("a client with the default options (long-polling first, then the upgrade) connects on every node", async () => {
    for (const node of cluster.nodes) {
      const user = await makeUser(node);
      const socket = io(node.url, { auth: { token: user.accessToken }, reconnection: false, forceNew: true });
      try {
        const firstTransport = await new Promise<string>((resolve, reject) => {
          socket.io.on("open", () => resolve(socket.io.engine.transport.name));
          socket.once("connect_error", reject);
        });
        expect(firstTransport).toBe("polling");
        await eventually(() => socket.connected);
        await eventually(() => socket.io.engine.transport.name === "websocket");
        const ack = await socket.timeout(5_000).emitWithAck("notifications:sync", {});
        expect(ack).toMatchObject({ ok: true, items: [] });
      } finally {
        socket.close();
      }
    }
  });

  it("long-polling alone works too, and a bad token is refused over it", async () => {
    const node = cluster.nodes[1];
    const user = await makeUser(node);
    const polling = io(node.url, {
      auth: { token: user.accessToken },
      transports: ["polling"],
      reconnection: false,
      forceNew: true,
    });
    try {
      await eventually(() => polling.connected);
      expect(polling.io.engine.transport.name).toBe("polling");
      expect(await polling.timeout(5_000).emitWithAck("notifications:sync", {})).toMatchObject({ ok: true });
    } finally {
      polling.close();
    }
    const forged = io(node.url, { auth: { token: "nope" }, transports: ["polling"], reconnection: false, forceNew: true });
    const err = await new Promise<Error & { data?: { code?: string } }>((resolve) => forged.once("connect_error", resolve));
    forged.close();
    expect(err.data?.code).toBe("UNAUTHORIZED");
  });
});
