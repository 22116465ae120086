import type { BenchContext, Row } from "../lib/measure.js";
import { roomLoad } from "../lib/rooms.js";

/**
 * Doc typing: 20 sessions × 25 members, 500 one-character Yjs updates a second in all (12,000 relays/s).
 * The convergence and durability check of the same load is `--scenario sessions` (bench/sessions.ts).
 */
export async function doc(ctx: BenchContext): Promise<Row[]> {
  const { rows } = await roomLoad(ctx, "doc", { rooms: 20, members: 25, mode: "doc", ratePerMember: 1, latency: "ack" });
  return rows;
}
