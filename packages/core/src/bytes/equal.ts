/**
 * Compare two byte strings, or two strings of code units, in time that depends only on their length: every
 * position is compared whatever the first difference. The one constant-time compare of bulwark (signatures,
 * MACs, certificate thumbprints, OAuth state, PKCE challenges). A length mismatch answers at once: callers
 * compare values whose length is public (a digest, a fixed-size token), so it gives nothing away.
 *
 * @example
 * timingSafeEqual(expectedMac, presentedMac) // true when identical
 * timingSafeEqual(expected.state, presented)  // strings: code unit by code unit
 */
export function timingSafeEqual<T extends Uint8Array | string>(a: T, b: T): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  if (typeof a === 'string') {
    const s = b as string;
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ s.charCodeAt(i);
  } else {
    const x = a as Uint8Array;
    const y = b as Uint8Array;
    for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!;
  }
  return diff === 0;
}
