import type { WireBinary } from "./protocol.js";

/** A Uint8Array view of binary data from the server, whether it came as a Buffer, a Uint8Array or an ArrayBuffer. */
export function toUint8Array(value: WireBinary): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError("expected binary data (Uint8Array or ArrayBuffer)");
}

/** The bytes of a base64 string (a history item's `update`), in browsers and Node alike. */
export function fromBase64(base64: string): Uint8Array {
  const chars = atob(base64);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}
