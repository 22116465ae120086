import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startProcessCluster } from "../support/clusters.js";
import { type ProcessNode, startNode } from "../support/processes.js";
import { api } from "../support/rest.js";

describe("the web app's static serving", () => {
  let cluster: Cluster<ProcessNode>;
  let off: ProcessNode;
  beforeAll(async () => {
    cluster = await startProcessCluster(1, { redis: false });
    off = await startNode({ ...cluster.env, WEB_APP: "false" });
  });
  afterAll(async () => {
    await off?.stop("SIGKILL");
    await cluster?.close();
  });

  it("serves index.html at / and for the app's own paths, and its bundled assets", async () => {
    const node = cluster.nodes[0]!;
    const index = await fetch(`${node.url}/`, { headers: { accept: "text/html" } });
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/text\/html/);
    expect(index.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    const html = await index.text();
    expect(html).toContain('<main id="main">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
    const asset = await fetch(node.url + script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toMatch(/immutable/);
    const deep = await fetch(`${node.url}/sessions/7d0e4f0a-3c55-4b8e-9f0e-0a4a1c2b3d4e`, { headers: { accept: "text/html" } });
    expect(await deep.text()).toBe(html);
    expect((await fetch(`${node.url}/assets/missing.js`)).status).toBe(404);
  });

  it("never shadows the API, Socket.IO or the ops routes", async () => {
    const node = cluster.nodes[0]!;
    const html = { accept: "text/html" };
    const missing = await api(node, "GET", "/api/no-such-route", { headers: html });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "NOT_FOUND" } });
    expect((await api(node, "GET", "/api/cohorts", { headers: html })).status).toBe(401);
    expect((await api(node, "GET", "/healthz", { headers: html })).status).toBe(200);
    expect((await api(node, "GET", "/readyz", { headers: html })).body).toMatchObject({ db: "ok" });
    expect((await fetch(`${node.url}/metrics`, { headers: html })).headers.get("content-type")).toMatch(/text\/plain/);
    for (const path of ["/docs/nothing-here", "/socket.io/nothing", "/graphql/x"]) {
      const res = await fetch(node.url + path, { headers: html });
      expect(await res.text()).not.toContain('<main id="main">');
    }
    const polling = await fetch(`${node.url}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(200);
    expect(await polling.text()).toMatch(/^0\{"sid"/);
    // a non-HTML request for an unknown path stays a JSON 404
    expect((await api(node, "GET", "/nowhere", { headers: { accept: "application/json" } })).body).toMatchObject({
      error: { code: "NOT_FOUND" },
    });
  });

  it("WEB_APP=false: / is the JSON 404", async () => {
    const res = await api(off, "GET", "/", { headers: { accept: "text/html" } });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});
