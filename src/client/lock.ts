/**
 * Runs `task` while holding the lock `name`: with Web Locks (every current browser) the lock is shared by every
 * tab and worker of the origin; without them (Node, old browsers) it is shared by every client in this JavaScript
 * realm. Either way, two holders never overlap.
 */
interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

const chains = new Map<string, Promise<unknown>>();

function webLocks(): LockManagerLike | null {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks && typeof nav.locks.request === "function" && typeof nav.locks.query === "function" ? nav.locks : null;
}

export function withLock<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = webLocks();
  if (locks) return locks.request(name, task);
  const previous = chains.get(name) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  chains.set(name, tail);
  void tail.then(() => {
    if (chains.get(name) === tail) chains.delete(name);
  });
  return run;
}

/**
 * Version markers, for a value kept in localStorage and changed under a Web Lock. localStorage reaches other tabs
 * asynchronously: the next holder of the lock may still read the previous value. The lock manager, however, is one
 * for the whole origin, so the writer also holds a lock named after the new value's version and digest, and a
 * reader compares what it read with the newest marker held. Without Web Locks (one realm) there is nothing to do.
 */
export interface Marker {
  seq: number;
  digest: string;
}

const held = new Map<string, () => void>();

/** The newest marker any tab holds under `name`, or null. */
export async function newestMarker(name: string): Promise<Marker | null> {
  const locks = webLocks();
  if (!locks) return null;
  const prefix = `${name}:v:`;
  let newest: Marker | null = null;
  for (const lock of (await locks.query()).held ?? []) {
    if (!lock.name?.startsWith(prefix)) continue;
    const [seq, digest] = lock.name.slice(prefix.length).split(":");
    if (digest && Number(seq) > (newest?.seq ?? -1)) newest = { seq: Number(seq), digest };
  }
  return newest;
}

/** Holds the marker of a new version (releasing this tab's previous one) for as long as the page lives. */
export async function holdMarker(name: string, marker: Marker): Promise<void> {
  const locks = webLocks();
  if (!locks) return;
  held.get(name)?.();
  await new Promise<void>((granted) => {
    void locks.request(`${name}:v:${marker.seq}:${marker.digest}`, () => {
      granted();
      return new Promise<void>((release) => held.set(name, release));
    });
  });
}

/** A short digest of a secret (FNV-1a), to name its version without writing it into a lock name. */
export function digest(secret: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < secret.length; i++) h = Math.imul(h ^ secret.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}
