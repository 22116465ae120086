import { Worker } from "node:worker_threads";

/**
 * Plain JS evaluated in the worker: GETs every node's `/healthz` in turn, then waits `everyMs`. node:http with a
 * kept-alive connection per node (as fetch keeps them), a fraction of fetch's CPU on the cores being measured.
 */
const PROBER = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const get = (url) =>
  new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(String(res.statusCode)))));
    });
    req.setTimeout(10000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
let running = true;
parentPort.on("message", () => (running = false));
(async () => {
  const all = [];
  while (running) {
    for (const url of workerData.urls) {
      const t0 = performance.now();
      try {
        await get(url + "/healthz");
        all.push(performance.now() - t0);
      } catch {
        all.push(Infinity);
      }
    }
    await new Promise((r) => setTimeout(r, workerData.everyMs));
  }
  parentPort.postMessage(all);
})();
`;

/**
 * Probes `/healthz` of every node from a worker thread of its own, so that the calling process's own stalls
 * (GC, a burst of messages) do not count as the servers'. `stop` resolves with every probe's duration (ms;
 * Infinity for a failed one).
 */
export function startHealthzProber(urls: string[], everyMs = 50): { stop(): Promise<number[]> } {
  const worker = new Worker(PROBER, { eval: true, workerData: { urls, everyMs } });
  const probes = new Promise<number[]>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    async stop() {
      worker.postMessage("stop");
      const all = await probes;
      await worker.terminate();
      return all;
    },
  };
}
