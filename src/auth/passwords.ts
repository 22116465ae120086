import { randomBytes, scrypt as scryptCb, type ScryptOptions, timingSafeEqual } from "node:crypto";
import { DEFAULT_SCRYPT_LOG_N } from "../config/config.js";

/**
 * scrypt with N=2^17, r=8, p=1 by default (OWASP's recommendation; 128 MiB and a few hundred ms per hash).
 * `SCRYPT_LOG_N` may lower it for tests only (production refuses below 17). Every stored hash records its own
 * parameters, so hashes of an older cost still verify and are replaced at the next successful login.
 */
const R = 8;
const P = 1;
const KEY_LEN = 64;
const SALT_LEN = 16;
/** Node refuses scrypt above 32 MiB unless told: allow what the largest accepted cost (2^20) needs, twice. */
const maxmemFor = (n: number, r: number) => 2 * 128 * n * r + 1024 * 1024;

let N = 2 ** DEFAULT_SCRYPT_LOG_N;

/** Sets the cost of new hashes (from the configuration, once at start-up). */
export function setPasswordCost(logN: number): void {
  N = 2 ** logN;
}

function scrypt(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions & { N: number; r: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize("NFC"), salt, keyLen, { ...opts, maxmem: maxmemFor(opts.N, opts.r) }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hashes a password as `scrypt$N$r$p$<salt b64>$<key b64>` with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await scrypt(password, salt, KEY_LEN, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

function parseHash(stored: string) {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [, nText, rText, pText, saltText, keyText] = parts as [string, string, string, string, string, string];
  const [n, r, p] = [Number(nText), Number(rText), Number(pText)];
  const salt = Buffer.from(saltText, "base64");
  const expected = Buffer.from(keyText, "base64");
  // bounds keep a corrupt row from asking for gigabytes of memory
  if (!n || !r || !p || n > 2 ** 20 || r > 32 || p > 16 || expected.length === 0) return null;
  return { n, r, p, salt, expected };
}

/** Compares a password with a stored hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const key = await scrypt(password, h.salt, h.expected.length, { N: h.n, r: h.r, p: h.p });
  return timingSafeEqual(key, h.expected);
}

/** True when a stored hash was made with other parameters than new hashes get (rehash it after a good login). */
export function needsRehash(stored: string): boolean {
  const h = parseHash(stored);
  return !h || h.n !== N || h.r !== R || h.p !== P || h.expected.length !== KEY_LEN;
}

const DUMMY_SALT = randomBytes(SALT_LEN);

/** Spends the same work as a real check, so an unknown email takes as long as a wrong password. */
export async function dummyVerify(password: string): Promise<false> {
  const key = await scrypt(password, DUMMY_SALT, KEY_LEN, { N, r: R, p: P });
  timingSafeEqual(key, Buffer.alloc(KEY_LEN));
  return false;
}
