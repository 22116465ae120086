/** The per-socket rate limit's token bucket, without a server: bursts of twice the rate, refill at the rate. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTokenBucket } from "../../src/realtime/handler.js";

/** How many of `n` attempts the bucket allows right now. */
const allowed = (take: () => boolean, n: number) => Array.from({ length: n }, take).filter(Boolean).length;

describe("token bucket", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("allows a burst of twice the rate at once, then refuses", () => {
    const take = createTokenBucket(5);
    expect(allowed(take, 10)).toBe(10);
    expect(take()).toBe(false);
  });

  it("refills at `rate` tokens a second, fractions included", () => {
    const take = createTokenBucket(5);
    allowed(take, 10);
    vi.advanceTimersByTime(100); // half a token
    expect(take()).toBe(false);
    vi.advanceTimersByTime(100); // one token
    expect(take()).toBe(true);
    expect(take()).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(allowed(take, 10)).toBe(5);
  });

  it("never holds more than the burst, however long it rested", () => {
    const take = createTokenBucket(5);
    allowed(take, 3);
    vi.advanceTimersByTime(60_000);
    expect(allowed(take, 20)).toBe(10);
  });

  it("a rate of 0 turns the limit off", () => {
    const take = createTokenBucket(0);
    expect(allowed(take, 1000)).toBe(1000);
  });
});
