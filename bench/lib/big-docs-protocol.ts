/** What bench/big-docs.ts and its client processes (bench/big-docs-shard.ts) say to each other. */

export interface ClientSpec {
  token: string;
  sessionId: string;
  /** Index of the node it connects to. */
  node: number;
}

export interface TyperSpec extends ClientSpec {
  /** The character it inserts: its own within the session, so the stored text tells what of its updates arrived. */
  char: string;
}

export interface JoinerSpec extends ClientSpec {
  /** When it connects and joins, in ms after the start of the load. */
  afterMs: number;
  /** Keeps a Y.Doc of what it receives (compared at the end), or only counts the bytes. */
  mirror: boolean;
}

export type ToShard =
  | { type: "init"; urls: string[]; typers: TyperSpec[]; joiners: JoinerSpec[]; rate: number; seconds: number }
  | { type: "go"; at: number }
  /** Wait until no update has arrived for a while, then report every joined client's document. */
  | { type: "settle" };

export interface ShardLoad {
  type: "done";
  /** `session:join` ack latencies (ms) of the joiners. */
  joinMs: number[];
  /** `doc:update` ack latencies (ms) of the typers. */
  updateMs: number[];
  failures: Record<string, number>;
  sent: number;
  /** Acknowledged and refused (or timed-out) updates of each typer (same order as `init`'s typers). */
  acked: number[];
  failed: number[];
  /** Bytes of join states received by the joiners. */
  stateBytes: number;
  /** `doc:update` deliveries received by all of the shard's sockets during the load. */
  deliveries: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** Event-loop utilisation (0–1) of the thread handling the sockets and of the thread applying updates. */
  elu: { sockets: number; yjs: number };
  /** Event-loop delay of the sockets' thread: how long an ack may sit there unseen. */
  loopDelayMs: { p99: number; max: number };
}

export interface ShardInit {
  type: "ready";
  /** Byte length of the join state each typer received at start. */
  stateBytes: number[];
}

export interface SettledDoc {
  sessionId: string;
  length: number;
  sha1: string;
}

export interface ShardSettled {
  type: "settled";
  docs: SettledDoc[];
  /** Time the shard's Yjs thread took to apply each join state into a Y.Doc (ms). */
  applyStateMs: number[];
  /** Updates still arriving after the load, before the shard was quiet. */
  waitedMs: number;
}

export type FromShard = ShardInit | ShardLoad | ShardSettled;

/** Between a shard's sockets thread and its Yjs thread (bench/lib/doc-mirrors.ts). */
export type ToMirrors =
  /** [client, update, isJoinState]: applied in order; join states are timed. */
  { type: "apply"; items: [number, Uint8Array, boolean][] } | { type: "report"; clients: number[] };

export interface MirrorsReport {
  type: "report";
  docs: { client: number; length: number; sha1: string }[];
  stateMs: number[];
}
