/** TypeORM's `query` returns `[rows, affected]` for UPDATE and DELETE, and the rows for everything else. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number") {
    return result[0] as T[];
  }
  return result as T[];
}

export const iso = (t: Date | string): string => new Date(t).toISOString();

/** The Socket.IO room of a session (joined only through `core.rooms.join`). */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
