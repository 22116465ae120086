/** The one time formatter: what the database returns (a Date from pg, a string from raw rows) as ISO-8601 with ms. */
export const iso = (t: Date | string): string => new Date(t).toISOString();

/** Like `iso`, for nullable columns. */
export const isoOrNull = (t: Date | string | null | undefined): string | null => (t ? iso(t) : null);
