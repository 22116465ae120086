import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { AppError } from "../errors.js";

/** A page of a list: its items, and the cursor of the next page (the last item's id) or null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** What a list is paged by: the query's main entity, ordered by (time, id), and where its cursor must be found. */
export interface Keyset<E extends ObjectLiteral> {
  /** Property of the ordering time (default `createdAt`). */
  time?: keyof E & string;
  /** Property of the unique id that is the cursor (default `id`). */
  id?: keyof E & string;
  /**
   * Properties the cursor item must match to count as known (e.g. `{ cohortId }`): list filters that an item may
   * stop matching (a status, unread) do not belong here, or a client paging while things change would get 404.
   */
  scope?: Partial<Record<keyof E & string, string>>;
  /** The 404 message for an unknown cursor. */
  notFound: string;
}

/** How many rows to ask for: one more than the page, to learn whether there is a next page without a count. */
export const rowsToFetch = (limit: number): number => limit + 1;

/** Cuts the `limit + 1` rows fetched down to the page; `nextCursor` is the last kept row's id when there were more. */
export function pageOf<T>(rows: T[], limit: number, idOf: (row: T) => string): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { items, nextCursor: more && last !== undefined ? idOf(last) : null };
}

/** The parameter names the helper adds to a query (prefixed so they cannot clash with the caller's). */
export const cursorParam = (name: string) => `keyset_${name}`;

/**
 * One page of `qb` (its own filters and joins) in (time, id) order, after the exclusive cursor `after`.
 *
 * The cursor's position is read by a subquery in the same statement, so it compares at the database's full
 * timestamp precision (a JS Date would round to milliseconds and repeat or skip items). An unknown cursor is
 * 404 NOT_FOUND, never an empty page that would read as "nothing newer": it is looked up only when the page
 * came back empty (a missing cursor row makes the comparison NULL, so every row is filtered out).
 */
export async function keysetPage<E extends ObjectLiteral>(
  qb: SelectQueryBuilder<E>,
  page: { after?: string; limit: number },
  keyset: Keyset<E>,
): Promise<Page<E>> {
  const alias = qb.alias;
  const time = keyset.time ?? "createdAt";
  const id = keyset.id ?? "id";
  const target = qb.expressionMap.mainAlias!.target;
  const cursorRow = () => {
    // a new builder on the same query runner (inside the caller's transaction, if any)
    const q = qb
      .createQueryBuilder()
      .from(target, "keyset_cursor")
      .where(`keyset_cursor.${id} = :${cursorParam("after")}`, { [cursorParam("after")]: page.after });
    for (const [property, value] of Object.entries(keyset.scope ?? {})) {
      q.andWhere(`keyset_cursor.${property} = :${cursorParam(property)}`, { [cursorParam(property)]: value });
    }
    return q;
  };

  if (page.after !== undefined) {
    const position = cursorRow().select([`keyset_cursor.${time}`, `keyset_cursor.${id}`]);
    qb.andWhere(`(${alias}.${time}, ${alias}.${id}) > (${position.getQuery()})`).setParameters(position.getParameters());
  }
  const rows = await qb
    .orderBy(`${alias}.${time}`, "ASC")
    .addOrderBy(`${alias}.${id}`, "ASC")
    .limit(rowsToFetch(page.limit))
    .getMany();
  if (rows.length === 0 && page.after !== undefined && !(await cursorRow().select("1").getRawOne())) {
    throw new AppError("NOT_FOUND", keyset.notFound);
  }
  return pageOf(rows, page.limit, (row) => String(row[id]));
}
