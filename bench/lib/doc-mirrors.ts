/**
 * A worker thread of a big-docs client process holding its joiners' documents: each applies the join state it
 * received, then every update relayed to it, as an editor would. Off the sockets' thread, so that applying a
 * megabyte state does not hold acks that have already arrived (which would count as server latency).
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import * as Y from "yjs";
import type { MirrorsReport, ToMirrors } from "./big-docs-protocol.js";

const docs = new Map<number, Y.Doc>();
const stateMs: number[] = [];

function apply(client: number, update: Uint8Array, isState: boolean) {
  let doc = docs.get(client);
  if (!doc) docs.set(client, (doc = new Y.Doc()));
  const t0 = performance.now();
  Y.applyUpdate(doc, update);
  if (isState) stateMs.push(performance.now() - t0);
}

parentPort!.on("message", (msg: ToMirrors) => {
  if (msg.type === "apply") {
    for (const [client, update, isState] of msg.items) apply(client, update, isState);
    return;
  }
  const report: MirrorsReport = {
    type: "report",
    docs: msg.clients.map((client) => {
      const text = docs.get(client)?.getText("code").toString() ?? "";
      return { client, length: text.length, sha1: createHash("sha1").update(text).digest("hex") };
    }),
    stateMs,
  };
  parentPort!.postMessage(report);
});
