import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Metrics } from "../metrics.js";

/**
 * The METRICS_PORT listener: `GET /metrics` and nothing else (404), so the series can be scraped on a port
 * that is not published to the internet while PORT answers /metrics with 404.
 */
export function createMetricsServer(metrics: Metrics): { listen(port: number): Promise<number>; close(): Promise<void> } {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if ((req.method === "GET" || req.method === "HEAD") && path === "/metrics") {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { "Content-Type": metrics.registry.contentType });
          res.end(req.method === "HEAD" ? undefined : text);
        },
        () => {
          res.writeHead(500).end();
        },
      );
      return;
    }
    res
      .writeHead(404, { "Content-Type": "application/json" })
      .end(JSON.stringify({ error: { code: "NOT_FOUND", message: "no such route" } }));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return {
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
