import type { BenchContext, Row } from "../lib/measure.js";
import { roomLoad } from "../lib/rooms.js";

/** Fan-out: 5 rooms × 40 members, each sending `awareness:update` 6 times a second (46,800 deliveries/s). */
export async function fanout(ctx: BenchContext): Promise<Row[]> {
  const { rows } = await roomLoad(ctx, "fanout", {
    rooms: 5,
    members: 40,
    mode: "awareness",
    ratePerMember: 6,
    latency: "delivery",
  });
  return rows;
}
