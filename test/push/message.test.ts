import { describe, expect, it } from "vitest";
import { PUSH_BODY_MAX_BYTES, pushMessage } from "../../src/push/message.js";

const base = { id: "0b5c6a8e-3f3c-4d8e-9a53-2f1c8b7f6a01", createdAt: "2026-11-29T08:00:00.000Z", readAt: null };
const ids = { reviewId: "5b1f2c3d-0000-4000-8000-000000000001", cohortId: "5b1f2c3d-0000-4000-8000-000000000002" };
const ada = { id: "5b1f2c3d-0000-4000-8000-000000000003", displayName: "Ada" };

describe("the texts of a push", () => {
  it("say who did what to which item, with a link into the web app", () => {
    const comment = pushMessage({
      ...base,
      type: "review_comment",
      payload: { ...ids, commentId: ada.id, title: "Binary search", author: ada, excerpt: "Why not lo + (hi - lo) / 2?" },
    });
    expect(comment).toMatchObject({
      title: "Ada commented on “Binary search”",
      body: "Why not lo + (hi - lo) / 2?",
      url: `/reviews/${ids.reviewId}`,
    });
    const verdict = pushMessage({
      ...base,
      type: "review_verdict",
      payload: { ...ids, verdict: "request_changes", status: "changes_requested", title: "Parser", reviewer: ada },
    });
    expect(verdict).toMatchObject({ title: "Ada asked for changes on “Parser”", body: "Changes were requested" });
    const started = pushMessage({
      ...base,
      type: "session_started",
      payload: { sessionId: ada.id, cohortId: ids.cohortId, title: "Pairing" },
    });
    expect(started).toMatchObject({ title: "A live session started", url: `/sessions/${ada.id}` });
  });

  it("stay within what one push can carry, keeping the ids", () => {
    const huge = "\u0001".repeat(200); // each is written \\u0001 (6 bytes) in JSON
    const message = pushMessage({
      ...base,
      type: "review_comment",
      payload: { ...ids, commentId: ada.id, title: huge, author: { id: ada.id, displayName: huge }, excerpt: huge },
    });
    expect(new TextEncoder().encode(JSON.stringify(message)).length).toBeLessThanOrEqual(PUSH_BODY_MAX_BYTES);
    expect(message.notification.payload).toMatchObject({ ...ids, commentId: ada.id });
    expect(message.notification.id).toBe(base.id);
  });
});
