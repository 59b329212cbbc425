/**
 * A minimal, strict DER reader: just enough ASN.1 to walk an X.509 certificate to its extensions.
 * Strict means one encoding per value: definite lengths only, minimal length octets, low-tag-number form,
 * no byte outside its parent. Anything else throws {@link DerError}, which callers turn into a denial.
 */

/**
 * The input is not the DER this reader accepts.
 *
 * @example
 * try { readCertificateIdentity(der); } catch (e) { if (e instanceof DerError) deny(); }
 */
export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One TLV: `tag` is the identifier octet, the content is `bytes[start, end)`. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the identifier octet (the whole TLV is `bytes[offset, end)`). */
  readonly offset: number;
  readonly start: number;
  readonly end: number;
}

/**
 * ASN.1 universal tags this module reads.
 *
 * @example
 * reader.next(TAG.sequence);
 */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/**
 * Reads consecutive elements from `bytes[start, end)`.
 *
 * @example
 * const top = new DerReader(der); const cert = top.enter(top.next(TAG.sequence)); top.finish();
 */
export class DerReader {
  private pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    private readonly end: number = bytes.length,
  ) {
    this.pos = start;
  }

  /** True when every byte of the range has been consumed. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Tag of the next element, without consuming it; `undefined` at the end. */
  peekTag(): number | undefined {
    return this.pos < this.end ? this.bytes[this.pos] : undefined;
  }

  /** Read the next element; throws when it is not strict DER or overruns the range. */
  next(expectedTag?: number): DerElement {
    const b = this.bytes;
    const offset = this.pos;
    let p = offset;
    if (p >= this.end) throw new DerError('unexpected end of data');
    const tag = b[p++]!;
    if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used in certificates');
    if (expectedTag !== undefined && tag !== expectedTag) {
      throw new DerError(`expected tag 0x${expectedTag.toString(16)}, got 0x${tag.toString(16)}`);
    }
    if (p >= this.end) throw new DerError('missing length');
    const first = b[p++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const count = first & 0x7f;
      if (count === 0) throw new DerError('indefinite length is not DER');
      if (count > 4) throw new DerError('length too large');
      if (p + count > this.end) throw new DerError('truncated length');
      if (b[p] === 0) throw new DerError('length is not minimally encoded');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + b[p++]!;
      if (length < 0x80) throw new DerError('length is not minimally encoded');
    }
    if (length > this.end - p) throw new DerError('element overruns its container');
    this.pos = p + length;
    return { tag, offset, start: p, end: p + length };
  }

  /** A reader over the content of a constructed element. */
  enter(element: DerElement): DerReader {
    if ((element.tag & 0x20) === 0) throw new DerError('element is not constructed');
    return new DerReader(this.bytes, element.start, element.end);
  }

  /** Throw unless the whole range was consumed (no trailing bytes smuggled after a value). */
  finish(): void {
    if (this.pos !== this.end) throw new DerError('trailing bytes');
  }
}

/**
 * Content bytes of an element.
 *
 * @example
 * const value = contentOf(der, ext.next(TAG.octetString));
 */
export function contentOf(bytes: Uint8Array, element: DerElement): Uint8Array {
  return bytes.subarray(element.start, element.end);
}

/**
 * True when an OID element's content equals `oid` (content bytes, e.g. 2.5.29.17 → 55 1d 11).
 *
 * @example
 * oidEquals(der, oid, [0x55, 0x1d, 0x11]) // subjectAltName
 */
export function oidEquals(bytes: Uint8Array, element: DerElement, oid: readonly number[]): boolean {
  if (element.end - element.start !== oid.length) return false;
  for (let i = 0; i < oid.length; i++) if (bytes[element.start + i] !== oid[i]) return false;
  return true;
}

/**
 * Dotted form of an OID element, for names this module has no short label for.
 *
 * @example
 * oidToString(der, element) // '2.5.4.3'
 */
export function oidToString(bytes: Uint8Array, element: DerElement): string {
  if (element.end <= element.start) throw new DerError('empty OID');
  const parts: number[] = [];
  let value = 0;
  for (let i = element.start; i < element.end; i++) {
    const byte = bytes[i]!;
    if (value === 0 && byte === 0x80) throw new DerError('OID arc is not minimally encoded');
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if ((byte & 0x80) === 0) {
      if (parts.length === 0) {
        const top = value < 40 ? 0 : value < 80 ? 1 : 2;
        parts.push(top, value - top * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  if ((bytes[element.end - 1]! & 0x80) !== 0) throw new DerError('truncated OID');
  return parts.join('.');
}

/**
 * A DER BOOLEAN: only 0x00 and 0xff are valid encodings.
 *
 * @example
 * const critical = readBoolean(der, ext.next());
 */
export function readBoolean(bytes: Uint8Array, element: DerElement): boolean {
  if (element.tag !== TAG.boolean || element.end - element.start !== 1) throw new DerError('bad BOOLEAN');
  const v = bytes[element.start];
  if (v === 0x00) return false;
  if (v === 0xff) return true;
  throw new DerError('BOOLEAN is neither 0x00 nor 0xff');
}
