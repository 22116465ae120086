import type { ReviewStatus, Verdict } from "../contract/index.js";

/** Reviewers picked by auto-assignment. */
export const AUTO_REVIEWERS = 2;

/** Lines of the code as an editor numbers them; a final line break does not start another line. */
export function lineCount(source: string): number {
  const lines = source.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines.length;
}

/** Any change request wins; `approved` once every reviewer approved; else `open`. */
export function statusFromVerdicts(verdicts: (Verdict | null)[]): ReviewStatus {
  if (verdicts.some((v) => v === "request_changes")) return "changes_requested";
  if (verdicts.length > 0 && verdicts.every((v) => v === "approve")) return "approved";
  return "open";
}
