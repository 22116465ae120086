/**
 * A node stopped right after it started (its start-up retention job fetched or running): the job queue's
 * statements end before the database closes, so nothing fails behind the stop (pg-boss starts some without
 * awaiting them). In-process nodes: a statement failing after the stop is an unhandled rejection here.
 */
import { expect, it } from "vitest";
import { startCluster } from "../support/clusters.js";
import { sleep } from "../support/time.js";

it("ten nodes stopped as soon as they listen leave no failing statement behind", async () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on("unhandledRejection", onRejection);
  try {
    for (let i = 0; i < 10; i++) {
      const cluster = await startCluster(1, { redis: false });
      await cluster.close();
    }
    await sleep(500);
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  expect(rejections).toEqual([]);
}, 120_000);
