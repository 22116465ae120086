import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { PGlite, types } from "@electric-sql/pglite";
import { lockDataDir } from "./data-dir-lock.js";

/**
 * A `pg`-shaped driver module for TypeORM over one embedded PGlite database.
 *
 * PGlite has a single session: if two TypeORM query runners used it at once, their transactions would
 * interleave and rows would be lost silently. This pool hands the session to one connection at a
 * time; the next `connect` waits until the previous connection is released.
 */
interface QueryResultLike {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: unknown[];
}

type Callback<T> = (err: Error | null, value?: T) => void;

class Mutex {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

function commandOf(sql: string): string {
  const m = /^\s*(?:WITH\b[\s\S]*?\)\s*)?([A-Za-z]+)/.exec(sql);
  return (m?.[1] ?? "").toUpperCase();
}

export function createPgliteDriver(dataDir: string): { Pool: new () => unknown; types: object; defaults: object } {
  let dbPromise: Promise<PGlite> | null = null;
  let unlockDir: (() => void) | null = null;
  const mutex = new Mutex();
  const boolSerializer = (val: unknown) => (val === true ? "TRUE" : val === false ? "FALSE" : String(val));
  // bytea in and out as Buffer (like `pg`), through Node's hex codec rather than a per-byte loop
  const byteaSerializer = (val: unknown) => {
    if (!(val instanceof Uint8Array)) throw new Error("bytea parameter must be a Buffer or Uint8Array");
    return "\\x" + Buffer.from(val.buffer, val.byteOffset, val.byteLength).toString("hex");
  };
  const byteaParser = (text: string) => Buffer.from(text.slice(2), "hex");
  // int8 as a string, like `pg` (numeric already is): the same code sees the same types on both databases
  const asString = (text: string) => text;

  const open = (): Promise<PGlite> => {
    if (!dbPromise) {
      mkdirSync(dataDir, { recursive: true });
      try {
        unlockDir = lockDataDir(dataDir);
      } catch (err) {
        return Promise.reject(err as Error);
      }
      dbPromise = PGlite.create({
        dataDir,
        serializers: { [types.BOOL]: boolSerializer, [types.BYTEA]: byteaSerializer },
        parsers: { [types.BYTEA]: byteaParser, [types.INT8]: asString },
      });
    }
    return dbPromise;
  };

  async function run(db: PGlite, sql: string, params?: unknown[]): Promise<QueryResultLike> {
    if (params && params.length > 0) {
      const r = await db.query(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length, command: commandOf(sql), fields: r.fields };
    }
    const results = await db.exec(sql);
    const last = results[results.length - 1];
    return {
      rows: last?.rows ?? [],
      rowCount: last?.affectedRows ?? last?.rows.length ?? 0,
      command: commandOf(sql),
      fields: last?.fields ?? [],
    };
  }

  class Client extends EventEmitter {
    query(sql: string, params?: unknown[] | Callback<QueryResultLike>, cb?: Callback<QueryResultLike>) {
      const callback = typeof params === "function" ? params : cb;
      const values = typeof params === "function" ? undefined : params;
      const p = open().then((db) => run(db, sql, values));
      if (callback)
        p.then(
          (r) => callback(null, r),
          (e: Error) => callback(e),
        );
      return p;
    }
  }

  class Pool extends EventEmitter {
    connect(cb: (err: Error | null, client: Client | null, release: (err?: unknown) => void) => void) {
      void (async () => {
        const unlock = await mutex.acquire();
        let released = false;
        const release = () => {
          if (!released) {
            released = true;
            unlock();
          }
        };
        try {
          await open();
          cb(null, new Client(), release);
        } catch (err) {
          release();
          cb(err as Error, null, release);
        }
      })();
    }
    async query(sql: string, params?: unknown[]) {
      const unlock = await mutex.acquire();
      try {
        return await run(await open(), sql, params);
      } finally {
        unlock();
      }
    }
    end(cb?: (err?: Error | null) => void) {
      const closing = dbPromise ? dbPromise.then((db) => db.close()) : Promise.resolve();
      dbPromise = null;
      const unlock = unlockDir;
      unlockDir = null;
      closing
        .finally(() => unlock?.())
        .then(
          () => cb?.(null),
          (e: Error) => cb?.(e),
        );
    }
  }

  return { Pool, types: {}, defaults: {} };
}
