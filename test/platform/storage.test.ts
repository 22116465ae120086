/**
 * The storage layer itself, run against BOTH databases the server supports: PostgreSQL (through `pg`)
 * and the embedded PGlite (through the serialising pool). Same migrations, same SQL, same results.
 */
import { randomBytes } from "node:crypto";
import type { DataSource } from "typeorm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { User } from "../../entities/index.js";
import { migrations } from "../../migrations/index.js";
import { createDataSource } from "../../src/db/datasource.js";
import { runMigrations } from "../../src/db/migrate.js";
import { isUniqueViolation } from "../../src/errors.js";
import { createTestDatabase, tempDir } from "../support/databases.js";

interface Storage {
  ds: DataSource;
  /** Another DataSource on the same database (a second node, or a restart for PGlite). */
  reopen(): DataSource;
  cleanup(): Promise<void>;
}

const factories: [string, () => Promise<Storage>][] = [
  [
    "PostgreSQL",
    async () => {
      const db = await createTestDatabase();
      const database = { kind: "postgres" as const, url: db.url };
      return { ds: createDataSource(database), reopen: () => createDataSource(database), cleanup: db.drop };
    },
  ],
  [
    "PGlite",
    async () => {
      const dir = tempDir();
      const database = { kind: "pglite" as const, dataDir: dir.path };
      return { ds: createDataSource(database), reopen: () => createDataSource(database), cleanup: async () => dir.remove() };
    },
  ],
];

const email = (tag: string) => `${tag}-${randomBytes(5).toString("hex")}@storage.test`;
const userRow = (mail: string) => ({ email: mail, passwordHash: "x", displayName: "Storage" });

describe.each(factories)("storage on %s", (_name, factory) => {
  let storage: Storage;
  let ds: DataSource;

  beforeAll(async () => {
    storage = await factory();
    ds = storage.ds;
    await ds.initialize();
  });
  afterAll(async () => {
    if (ds?.isInitialized) await ds.destroy();
    await storage?.cleanup();
  });

  it("migrates an empty database, then finds nothing pending", async () => {
    const applied = await runMigrations(ds);
    expect(applied).toEqual(migrations.map((m) => new m().name));
    const tables = (await ds.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) as {
      table_name: string;
    }[];
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["users", "refresh_tokens", "cohorts", "memberships", "migrations"]),
    );
    expect(await runMigrations(ds)).toEqual([]);
    const recorded = (await ds.query("SELECT name FROM migrations")) as { name: string }[];
    expect(recorded).toHaveLength(migrations.length);
  });

  it("concurrent migration runs apply each migration once", async () => {
    const [a, b] = await Promise.all([runMigrations(ds), runMigrations(ds)]);
    expect([...a, ...b]).toEqual([]);
    const recorded = (await ds.query("SELECT name FROM migrations")) as { name: string }[];
    expect(recorded).toHaveLength(migrations.length);
  });

  it("generates ids and timestamps in the database", async () => {
    const saved = await ds.getRepository(User).save(userRow(email("ids")));
    expect(saved.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const loaded = await ds.getRepository(User).findOneByOrFail({ id: saved.id });
    expect(loaded.createdAt).toBeInstanceOf(Date);
    expect(loaded.role).toBe("learner");
  });

  it("commits a transaction and rolls a failed one back entirely", async () => {
    const kept = email("commit");
    const dropped = email("rollback");
    await ds.transaction(async (m) => {
      await m.getRepository(User).insert(userRow(kept));
    });
    await expect(
      ds.transaction(async (m) => {
        await m.getRepository(User).insert(userRow(dropped));
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect(await ds.getRepository(User).countBy({ email: kept })).toBe(1);
    expect(await ds.getRepository(User).countBy({ email: dropped })).toBe(0);
  });

  it("reports a unique violation as such, and the connection stays usable", async () => {
    const mail = email("dup");
    await ds.getRepository(User).insert(userRow(mail));
    const err = await ds
      .getRepository(User)
      .insert(userRow(mail))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(err, "uq_users_email")).toBe(true);
    expect(await ds.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });

  it("parallel transactions, one failing on a unique violation, lose nothing of the others", async () => {
    const batch = `batch-${randomBytes(4).toString("hex")}`;
    const taken = `${batch}-taken@storage.test`;
    await ds.getRepository(User).insert(userRow(taken));
    const runs = Array.from({ length: 24 }, (_, i) =>
      ds.transaction(async (m) => {
        const repo = m.getRepository(User);
        // several statements per transaction, so interleaving would show
        await repo.insert(userRow(`${batch}-${i}@storage.test`));
        await m.query("SELECT count(*) FROM users WHERE email LIKE $1", [`${batch}-%`]);
        if (i === 7) await repo.insert(userRow(taken));
        await repo.update({ email: `${batch}-${i}@storage.test` }, { displayName: `n${i}` });
      }),
    );
    const results = await Promise.allSettled(runs);
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [i] : []));
    expect(failed).toEqual([7]);
    expect(isUniqueViolation((results[7] as PromiseRejectedResult).reason)).toBe(true);
    const rows = (await ds.query("SELECT email, display_name FROM users WHERE email LIKE $1 ORDER BY email", [`${batch}-%`])) as {
      email: string;
      display_name: string;
    }[];
    expect(rows).toHaveLength(24); // 23 successful transactions + the pre-existing row
    for (let i = 0; i < 24; i++) {
      const row = rows.find((r) => r.email === `${batch}-${i}@storage.test`);
      if (i === 7) expect(row).toBeUndefined();
      else expect(row?.display_name).toBe(`n${i}`);
    }
  });

  it("round-trips bytea as bytes and returns the same JS types as pg", async () => {
    await ds.query(
      "CREATE TABLE IF NOT EXISTS storage_probe (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), data bytea NOT NULL, n int8 NOT NULL, j jsonb, at timestamptz NOT NULL DEFAULT now())",
    );
    const bytes = Uint8Array.from({ length: 512 }, (_, i) => i % 256);
    const asBuffer = Buffer.from(randomBytes(64 * 1024));
    const [a] = (await ds.query("INSERT INTO storage_probe (data, n, j) VALUES ($1, $2, $3) RETURNING id", [
      bytes,
      "9007199254740993",
      JSON.stringify({ k: [1, "two"] }),
    ])) as { id: string }[];
    const [b] = (await ds.query("INSERT INTO storage_probe (data, n) VALUES ($1, $2) RETURNING id", [asBuffer, 1])) as {
      id: string;
    }[];
    const [rowA] = (await ds.query("SELECT data, n, j, at FROM storage_probe WHERE id = $1", [a.id])) as {
      data: Uint8Array;
      n: unknown;
      j: unknown;
      at: unknown;
    }[];
    expect(rowA.data).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(rowA.data)).toBe(true);
    expect(Buffer.from(rowA.data).equals(Buffer.from(bytes))).toBe(true);
    expect(rowA.n).toBe("9007199254740993"); // int8 as a string on both, no precision lost
    expect(rowA.j).toEqual({ k: [1, "two"] });
    expect(rowA.at).toBeInstanceOf(Date);
    const [rowB] = (await ds.query("SELECT data FROM storage_probe WHERE id = $1", [b.id])) as { data: Uint8Array }[];
    expect(Buffer.from(rowB.data).equals(asBuffer)).toBe(true);
    const [count] = (await ds.query("SELECT count(*) AS c FROM storage_probe")) as { c: unknown }[];
    expect(count.c).toBe("2");
    // an empty value and bytes in a transaction's manager
    await ds.transaction(async (m) => {
      await m.query("INSERT INTO storage_probe (data, n) VALUES ($1, 3)", [new Uint8Array(0)]);
    });
    const [empty] = (await ds.query("SELECT data FROM storage_probe WHERE n = 3")) as { data: Uint8Array }[];
    expect(empty.data).toHaveLength(0);
  });

  it("a second DataSource sees committed rows and migrates nothing", async () => {
    const mail = email("durable");
    await ds.getRepository(User).insert(userRow(mail));
    if (createsExclusiveLock(ds)) await ds.destroy(); // PGlite: one process owns the data directory
    const other = storage.reopen();
    await other.initialize();
    try {
      expect(await runMigrations(other)).toEqual([]);
      expect(await other.getRepository(User).countBy({ email: mail })).toBe(1);
    } finally {
      await other.destroy();
    }
  });
});

function createsExclusiveLock(ds: DataSource): boolean {
  return !("url" in ds.options && ds.options.url);
}
