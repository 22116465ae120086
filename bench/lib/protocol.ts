import type { HistogramData } from "./histogram.js";

/** What the bench and its load-generator processes say to each other. */
export type LoadMode = "awareness" | "doc" | "chat" | "idle";

export interface SocketSpec {
  url: string;
  token: string;
  /** Joined right after connecting, when set. */
  sessionId?: string;
}

export type ToWorker =
  | { type: "connect"; specs: SocketSpec[]; concurrency: number }
  | { type: "run"; mode: LoadMode; rate: number; seconds: number; at: number }
  | { type: "notified" }
  | { type: "close" };

export interface WorkerResult {
  type: "result";
  sent: number;
  failures: Record<string, number>;
  ack: HistogramData;
  deliveryLatency: HistogramData;
  deliveries: number;
  /** The slowest ack of each second of the run (ms). */
  perSecondMaxAckMs: number[];
  cpuSeconds: number;
  eventLoopUtilization: number;
  wallSeconds: number;
}

export type FromWorker =
  | { type: "connected"; count: number; failures: Record<string, number>; ms: number }
  | WorkerResult
  | { type: "notified"; times: number[] }
  | { type: "closed" };
