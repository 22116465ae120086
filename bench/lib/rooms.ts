import type { BenchUser } from "./fixtures.js";
import { describe, measure, ratioRows, type BenchContext, type Measurement, type Row } from "./measure.js";
import type { LoadMode, SocketSpec } from "./protocol.js";
import type { Target } from "./stack.js";

/** `rooms` live sessions of `members` each (a cohort per session, its first member the mentor). */
export async function liveRooms(
  ctx: BenchContext,
  rooms: number,
  members: number,
): Promise<{ user: BenchUser; sessionId: string }[]> {
  const out: { user: BenchUser; sessionId: string }[] = [];
  for (let r = 0; r < rooms; r++) {
    const users = await ctx.stack.fixtures.users(members);
    const sessionId = await ctx.stack.fixtures.liveSession(await ctx.stack.fixtures.cohort(users), users[0]);
    out.push(...users.map((user) => ({ user, sessionId })));
  }
  return out;
}

/**
 * Rooms of members on alternate nodes, each sending `mode` events at `ratePerMember`, against every target in
 * turn (the baseline first); the ratio rows compare them.
 */
export async function roomLoad(
  ctx: BenchContext,
  scenario: string,
  opts: { rooms: number; members: number; mode: LoadMode; ratePerMember: number; latency: "ack" | "delivery" },
): Promise<{ rows: Row[]; results: Partial<Record<Target, Measurement>> }> {
  const members = await liveRooms(ctx, opts.rooms, opts.members);
  // member i of every room is on node i % 2: each room spans both nodes
  const spec = (url: string, i: number): SocketSpec => ({ url, token: members[i].user.token, sessionId: members[i].sessionId });
  const results: Partial<Record<Target, Measurement>> = {};
  for (const target of ctx.targets) {
    results[target] = await measure(
      ctx,
      target,
      spec,
      members.length,
      opts.mode,
      members.length * opts.ratePerMember * ctx.rateScale,
    );
    ctx.log(describe(target, results[target]));
  }
  return { rows: results.product ? ratioRows(scenario, results.baseline, results.product, opts.latency) : [], results };
}
