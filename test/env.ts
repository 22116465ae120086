/** The tests' (and the bench fixtures') settings, parsed once from the environment into typed values. */
import { z } from "zod";

const schema = z.object({
  TEST_DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/test"),
  TEST_REDIS_URL: z.string().min(1).default("redis://127.0.0.1:6379"),
  PATH: z.string().optional(),
  VITEST: z.string().optional(),
  /** The fuzz suite's seed (printed on failure, to replay it); a new one each run unless given. */
  FUZZ_SEED: z.coerce
    .number()
    .int()
    .nonnegative()
    .default(() => Date.now() % 2 ** 31),
  FUZZ_CASES: z.coerce.number().int().positive().default(10_000),
});

const env = schema.parse(process.env);

export const TEST_DATABASE_URL = env.TEST_DATABASE_URL;
export const TEST_REDIS_URL = env.TEST_REDIS_URL;
/** The search path child server processes inherit (they get no other variable of ours). */
export const CHILD_PATH = env.PATH;
/** Set by vitest in its workers; the bench imports the test fixtures outside it. */
export const UNDER_VITEST = env.VITEST !== undefined;
export const FUZZ_SEED = env.FUZZ_SEED;
export const FUZZ_CASES = env.FUZZ_CASES;
