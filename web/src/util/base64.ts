/**
 * Base64 and bytes, both ways, fast. Automerge's own `initializeBase64Wasm` decodes its 3.6 MB wasm
 * with `Uint8Array.from(atob(s), callback)`, a callback per byte that cost 0.4-0.8 s of
 * every window's start; a plain loop (or the native decoder where there is one) takes
 * a few milliseconds.
 */

/** `Uint8Array` with the native decoder that newer runtimes have (not in the ES2022 lib). */
interface MaybeNativeBase64 {
  readonly from: Uint8ArrayConstructor["from"];
  readonly fromBase64?: (text: string) => Uint8Array;
}

export function decodeBase64(text: string): Uint8Array {
  const constructor: MaybeNativeBase64 = Uint8Array;
  const native = constructor.fromBase64;
  if (typeof native === "function") {
    return native(text);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
}

/** Bytes to base64, in chunks so `String.fromCharCode` never gets too many arguments. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}
