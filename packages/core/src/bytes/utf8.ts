const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Whether a fatal UTF-8 decoder accepts `bytes`: the portable check (it builds the string and drops it),
 * shared by the WebCrypto back end and the node back end on a runtime whose node:buffer lacks `isUtf8`.
 *
 * @example
 * decodesAsUtf8(new Uint8Array([0xc3, 0xa9])); // true
 */
export function decodesAsUtf8(bytes: Uint8Array): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
