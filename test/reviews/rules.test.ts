/** The pure review rules, without a server: verdicts → status, and line counts (a comment's line must exist). */
import { describe, expect, it } from "vitest";
import { lineCount, statusFromVerdicts } from "../../src/reviews/rules.js";

describe("review status from the reviewers' verdicts", () => {
  it("is open before anyone decides, and while some reviewers have not", () => {
    expect(statusFromVerdicts([])).toBe("open");
    expect(statusFromVerdicts([null, null])).toBe("open");
    expect(statusFromVerdicts(["approve", null])).toBe("open");
  });

  it("is approved once every reviewer approved", () => {
    expect(statusFromVerdicts(["approve"])).toBe("approved");
    expect(statusFromVerdicts(["approve", "approve", "approve"])).toBe("approved");
  });

  it("any change request wins, whatever the others said or have not said yet", () => {
    expect(statusFromVerdicts(["request_changes"])).toBe("changes_requested");
    expect(statusFromVerdicts(["approve", "request_changes"])).toBe("changes_requested");
    expect(statusFromVerdicts([null, "request_changes", "approve"])).toBe("changes_requested");
  });
});

describe("line count of review code", () => {
  it("counts lines as an editor numbers them", () => {
    expect(lineCount("a")).toBe(1);
    expect(lineCount("a\nb")).toBe(2);
    expect(lineCount("a\nb\nc")).toBe(3);
  });

  it("a final line break does not start another line; an empty line before it does", () => {
    expect(lineCount("a\n")).toBe(1);
    expect(lineCount("a\nb\n")).toBe(2);
    expect(lineCount("a\n\n")).toBe(2);
    expect(lineCount("\n")).toBe(1);
  });

  it("treats CRLF, CR and LF alike", () => {
    expect(lineCount("a\r\nb\r\n")).toBe(2);
    expect(lineCount("a\rb")).toBe(2);
    expect(lineCount("a\r\nb\nc\rd")).toBe(4);
  });

  it("code without a line break is one line (the empty string included)", () => {
    expect(lineCount("")).toBe(1);
    expect(lineCount("fn main() {}")).toBe(1);
  });
});
