export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/** The search path child server processes inherit (they get no other variable of ours). */
export const CHILD_PATH = process.env.PATH;
/** Set by vitest in its workers; the bench imports the test fixtures outside it. */
export const UNDER_VITEST = process.env.VITEST !== undefined;
/** The fuzz suite's seed (printed on failure, to replay it) and number of cases. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
export const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 10_000);
