/**
 * Encodes remote states in y-protocols' awareness update format (what `applyAwarenessUpdate` reads):
 * varUint(count), then per client varUint(clientID), varUint(clock), varString(JSON state). Written here, not
 * imported from lib0, so the package imports nothing but yjs, y-protocols and socket.io-client.
 */
export interface AwarenessEntryUpdate {
  clientId: number;
  clock: number;
  state: unknown;
}

function writeVarUint(out: number[], n: number): void {
  while (n > 0x7f) {
    out.push(0x80 | (n % 0x80));
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

export function encodeAwarenessEntries(entries: AwarenessEntryUpdate[]): Uint8Array {
  const out: number[] = [];
  writeVarUint(out, entries.length);
  for (const e of entries) {
    writeVarUint(out, e.clientId);
    writeVarUint(out, e.clock);
    const bytes = new TextEncoder().encode(JSON.stringify(e.state ?? null));
    writeVarUint(out, bytes.length);
    for (const b of bytes) out.push(b);
  }
  return Uint8Array.from(out);
}
