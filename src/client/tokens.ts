import { CohortLiveError } from "./errors.js";
import { digest, holdMarker, newestMarker, withLock } from "./lock.js";
import type { AuthResult, User } from "./protocol.js";
import type { StorageLike } from "./storage.js";

export interface StoredSession {
  user: User;
  accessToken: string;
  refreshToken: string;
}

/** How long a reader waits for another tab's token write to reach this tab's storage. */
const STORAGE_CATCH_UP_MS = 3_000;
/** Refresh when the access token has less than this left. */
const REFRESH_MARGIN_MS = 60_000;

/** Seconds since the epoch at which a JWT expires (its `exp` claim), or 0 when it cannot be read. */
export function tokenExpiry(token: string): number {
  try {
    const part = token.split(".")[1] ?? "";
    const json = atob(
      part
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(part.length / 4) * 4, "="),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === "number" ? exp : 0;
  } catch {
    return 0;
  }
}

const msLeft = (token: string) => tokenExpiry(token) * 1000 - Date.now();

/**
 * The tokens of the logged-in user, kept in a Storage-like store that several tabs (or clients) may share.
 * The store is the truth: every read goes to it, so a refresh by another tab is seen at once. Refreshes take
 * a lock shared by those tabs and re-read the store inside it, so a rotated refresh token is never presented
 * twice (which would revoke the whole token family).
 */
export class TokenKeeper {
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly storage: StorageLike,
    private readonly key: string,
    private readonly lockName: string,
    private readonly post: (path: string, body: unknown) => Promise<Response>,
  ) {}

  read(): StoredSession | null {
    const raw = this.storage.getItem(this.key);
    if (!raw) return null;
    try {
      const s = JSON.parse(raw) as Partial<StoredSession>;
      return s.user && typeof s.accessToken === "string" && typeof s.refreshToken === "string" ? (s as StoredSession) : null;
    } catch {
      return null;
    }
  }

  save(result: AuthResult): void {
    this.storage.setItem(this.key, JSON.stringify(result));
  }

  /** After a login: the new tokens are the newest version, whatever another tab's storage still shows. */
  async saveLogin(result: AuthResult): Promise<void> {
    await withLock(this.lockName, async () => {
      const marker = await newestMarker(this.lockName);
      this.save(result);
      await holdMarker(this.lockName, { seq: (marker?.seq ?? 0) + 1, digest: digest(result.refreshToken) });
    });
  }

  /**
   * The stored tokens, once they are at least as new as `marker` (another tab's write may take a moment to show
   * here); refuses to go on with an older refresh token, which was already presented.
   */
  private async readAtLeast(marker: { digest: string } | null): Promise<StoredSession | null> {
    const deadline = Date.now() + STORAGE_CATCH_UP_MS;
    for (;;) {
      const s = this.read();
      if (!marker || (s && digest(s.refreshToken) === marker.digest)) return s;
      if (Date.now() > deadline) throw new CohortLiveError(0, "NETWORK", "the token store did not catch up with another tab");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  clear(): void {
    this.storage.removeItem(this.key);
  }

  /** Milliseconds until the stored access token should be refreshed (negative: now), or null when logged out. */
  dueIn(): number | null {
    const s = this.read();
    return s ? msLeft(s.accessToken) - REFRESH_MARGIN_MS : null;
  }

  /** A valid access token, refreshed first when it is (nearly) expired; throws UNAUTHORIZED when logged out. */
  async accessToken(): Promise<string> {
    const s = this.read();
    if (!s) throw new CohortLiveError(401, "UNAUTHORIZED", "not logged in");
    if (msLeft(s.accessToken) > REFRESH_MARGIN_MS) return s.accessToken;
    await this.refresh();
    const fresh = this.read();
    if (!fresh) throw new CohortLiveError(401, "UNAUTHORIZED", "the session ended");
    return fresh.accessToken;
  }

  /**
   * Rotates the tokens, one refresh at a time across every tab sharing the store. `force` refreshes even when
   * the access token is still fresh (after a 401 or `auth:expired`), unless another holder just did.
   */
  refresh(force = false): Promise<void> {
    const seen = this.read()?.refreshToken;
    this.refreshing ??= withLock(this.lockName, async () => {
      const marker = await newestMarker(this.lockName);
      const current = await this.readAtLeast(marker);
      if (!current) throw new CohortLiveError(401, "UNAUTHORIZED", "not logged in");
      const rotatedMeanwhile = current.refreshToken !== seen;
      if (msLeft(current.accessToken) > REFRESH_MARGIN_MS && (!force || rotatedMeanwhile)) return;
      const res = await this.post("/api/auth/refresh", { refreshToken: current.refreshToken });
      if (res.status === 401) {
        // only clear what we presented: another tab may have logged in again meanwhile
        if (this.read()?.refreshToken === current.refreshToken) this.clear();
        throw new CohortLiveError(401, "UNAUTHORIZED", "the session ended; log in again");
      }
      if (!res.ok) throw new CohortLiveError(res.status, "UNAVAILABLE", `token refresh failed (${res.status})`);
      const body = (await res.json()) as { accessToken: string; refreshToken: string };
      this.save({ user: current.user, accessToken: body.accessToken, refreshToken: body.refreshToken });
      await holdMarker(this.lockName, { seq: (marker?.seq ?? 0) + 1, digest: digest(body.refreshToken) });
    }).finally(() => (this.refreshing = null));
    return this.refreshing;
  }
}
