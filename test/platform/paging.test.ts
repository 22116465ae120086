/** The pure parts of the one paging helper (src/db/paging.ts); the queries are exercised by every list's tests. */
import { describe, expect, it } from "vitest";
import { cursorParam, pageOf, rowsToFetch } from "../../src/db/paging.js";

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `id-${i + 1}` }));
const idOf = (r: { id: string }) => r.id;

describe("keyset paging", () => {
  it("fetches one row more than the page, to learn whether there is a next page", () => {
    expect(rowsToFetch(1)).toBe(2);
    expect(rowsToFetch(50)).toBe(51);
  });

  it("a full page with one more row behind it: the page, and the last item's id as the cursor", () => {
    const page = pageOf(rows(3), 2, idOf);
    expect(page.items.map(idOf)).toEqual(["id-1", "id-2"]);
    expect(page.nextCursor).toBe("id-2");
  });

  it("exactly a page, or less: everything, and no cursor", () => {
    expect(pageOf(rows(2), 2, idOf)).toEqual({ items: rows(2), nextCursor: null });
    expect(pageOf(rows(1), 2, idOf)).toEqual({ items: rows(1), nextCursor: null });
  });

  it("an empty page has no cursor", () => {
    expect(pageOf([], 5, idOf)).toEqual({ items: [], nextCursor: null });
  });

  it("the cursor comes from the key the list is paged by (members: the user id)", () => {
    const members = [{ userId: "u1" }, { userId: "u2" }, { userId: "u3" }];
    expect(pageOf(members, 2, (m) => m.userId).nextCursor).toBe("u2");
  });

  it("its query parameters cannot clash with a caller's", () => {
    expect(cursorParam("after")).toBe("keyset_after");
    expect(cursorParam("cohortId")).toBe("keyset_cohortId");
  });
});
