import proxyAddr from "proxy-addr";

/**
 * `TRUST_PROXY` in Express's `trust proxy` forms: `false`/unset (no proxy), a hop count (`1`: the address the
 * nearest proxy saw), or a comma-separated list of addresses, CIDRs or the names `loopback`, `linklocal`,
 * `uniquelocal`. `true` trusts every hop, so a client-set left-most `X-Forwarded-For` becomes the client IP:
 * accepted for compatibility, with a warning at start-up.
 */
export type TrustProxy = boolean | number | string[];

/** Parses TRUST_PROXY; throws an Error with a readable message for anything else. */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const v = (raw ?? "").trim();
  if (v === "" || v === "false" || v === "no" || v === "0") return false;
  if (v === "true" || v === "yes") return true;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  // proxy-addr throws on anything that is not an address, a CIDR or a known name
  proxyAddr.compile(list);
  return list;
}

/** The function that decides, per hop, whether to trust it (for Socket.IO handshakes, which Express never sees). */
export function trustFunction(trust: TrustProxy): (addr: string, hop: number) => boolean {
  if (trust === true) return () => true;
  if (trust === false) return () => false;
  if (typeof trust === "number") return (_addr, hop) => hop < trust;
  return proxyAddr.compile(trust);
}
