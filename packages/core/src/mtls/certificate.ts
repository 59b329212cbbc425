import { encodeHex } from '../bytes/index.js';
import {
  contentOf,
  type DerElement,
  DerError,
  DerReader,
  oidEquals,
  oidToString,
  readBoolean,
  TAG,
} from './der.js';

/**
 * What bulwark reads from a peer certificate. The TLS stack (or the trusted proxy) has already verified the
 * chain and signature; this is only the identity, read from the DER itself, never from a display string.
 */
export interface CertificateIdentity {
  /** Every URI SAN, in certificate order. A SPIFFE SVID has exactly one. */
  readonly uris: readonly string[];
  /** Every DNS SAN, in certificate order. */
  readonly dnsNames: readonly string[];
  /** Subject distinguished name in RFC 4514 string form (most specific RDN first), e.g. `CN=api,O=Corp`. */
  readonly subject: string;
  /** `basicConstraints` cA is true: a CA certificate, never acceptable as a client leaf. */
  readonly isCa: boolean;
  /** `keyUsage` has keyCertSign or cRLSign: signing usages a leaf SVID must not have. */
  readonly canSignCertificates: boolean;
}

const OID_SAN = [0x55, 0x1d, 0x11];
const OID_BASIC_CONSTRAINTS = [0x55, 0x1d, 0x13];
const OID_KEY_USAGE = [0x55, 0x1d, 0x0f];
const SAN_DNS = 0x82;
const SAN_URI = 0x86;

const ATTRIBUTE_LABELS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * IA5String content: printable ASCII only (a SAN carrying a control or non-ASCII byte is an attack, not a name).
 * Spaces are kept, so a DNS SAN such as `a.example, URI:spiffe://…` stays one DNS name.
 */
function ia5(bytes: Uint8Array, element: DerElement, what: string): string {
  let out = '';
  for (let i = element.start; i < element.end; i++) {
    const c = bytes[i]!;
    if (c < 0x20 || c > 0x7e) throw new DerError(`${what} has a byte outside printable ASCII`);
    out += String.fromCharCode(c);
  }
  return out;
}

function directoryString(bytes: Uint8Array, element: DerElement): string | undefined {
  const content = contentOf(bytes, element);
  switch (element.tag) {
    case TAG.utf8String:
      try {
        return utf8.decode(content);
      } catch {
        throw new DerError('UTF8String is not UTF-8');
      }
    case TAG.printableString:
    case TAG.ia5String:
    case TAG.teletexString: {
      let out = '';
      for (const c of content) out += String.fromCharCode(c);
      return out;
    }
    case TAG.bmpString: {
      if (content.length % 2 !== 0) throw new DerError('BMPString has an odd length');
      let out = '';
      for (let i = 0; i < content.length; i += 2)
        out += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
      return out;
    }
    case TAG.universalString: {
      if (content.length % 4 !== 0) throw new DerError('UniversalString length is not a multiple of 4');
      let out = '';
      for (let i = 0; i < content.length; i += 4) {
        const cp =
          ((content[i]! << 24) | (content[i + 1]! << 16) | (content[i + 2]! << 8) | content[i + 3]!) >>> 0;
        if (cp > 0x10ffff) throw new DerError('UniversalString code point out of range');
        out += String.fromCodePoint(cp);
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** RFC 4514 §2.4 hex form `#<BER>` for attribute values of a type that has no string form here. */
function hexForm(bytes: Uint8Array, element: DerElement): string {
  return `#${encodeHex(bytes.subarray(element.offset, element.end))}`;
}

/** RFC 4514 §2.4 escaping of a string attribute value (hex-form values never pass through here). */
function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const code = value.charCodeAt(i);
    if (
      c === '\\' ||
      c === '"' ||
      c === '+' ||
      c === ',' ||
      c === ';' ||
      c === '<' ||
      c === '>' ||
      c === '='
    ) {
      out += `\\${c}`;
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\${code.toString(16).padStart(2, '0')}`;
    } else if ((i === 0 && (c === ' ' || c === '#')) || (i === value.length - 1 && c === ' ')) {
      out += `\\${c}`;
    } else {
      out += c;
    }
  }
  return out;
}

function readName(reader: DerReader, name: DerElement): string {
  const bytes = reader.bytes;
  const rdns: string[] = [];
  const seq = reader.enter(name);
  while (!seq.done) {
    const set = seq.enter(seq.next(TAG.set));
    const parts: string[] = [];
    while (!set.done) {
      const atv = set.enter(set.next(TAG.sequence));
      const oid = oidToString(bytes, atv.next(TAG.oid));
      const value = atv.next();
      atv.finish();
      const text = directoryString(bytes, value);
      parts.push(
        `${ATTRIBUTE_LABELS[oid] ?? oid}=${text === undefined ? hexForm(bytes, value) : escapeDnValue(text)}`,
      );
    }
    if (parts.length === 0) throw new DerError('empty RDN');
    rdns.push(parts.join('+'));
  }
  return rdns.reverse().join(',');
}

function readSan(value: Uint8Array, uris: string[], dnsNames: string[]): void {
  const outer = new DerReader(value);
  const seq = outer.enter(outer.next(TAG.sequence));
  outer.finish();
  let count = 0;
  while (!seq.done) {
    const name = seq.next();
    count++;
    if (name.tag === SAN_URI) uris.push(ia5(value, name, 'URI SAN'));
    else if (name.tag === SAN_DNS) dnsNames.push(ia5(value, name, 'DNS SAN'));
  }
  if (count === 0) throw new DerError('empty subjectAltName');
}

function readBasicConstraints(value: Uint8Array): boolean {
  const outer = new DerReader(value);
  const seq = outer.enter(outer.next(TAG.sequence));
  outer.finish();
  if (seq.done) return false;
  if (seq.peekTag() !== TAG.boolean) return false;
  return readBoolean(value, seq.next());
}

function readKeyUsageSigns(value: Uint8Array): boolean {
  const outer = new DerReader(value);
  const bits = outer.next(TAG.bitString);
  outer.finish();
  if (bits.end - bits.start < 1) throw new DerError('empty keyUsage');
  // Bit 5 keyCertSign (0x04) and bit 6 cRLSign (0x02) of the first content byte after the unused-bits octet.
  const first = bits.end - bits.start > 1 ? value[bits.start + 1]! : 0;
  return (first & 0x06) !== 0;
}

/**
 * Read the identity fields of a DER X.509 certificate: URI and DNS SANs, subject, basicConstraints cA and the
 * certificate-signing key usages. Throws {@link DerError} on anything that is not strict DER, on a repeated
 * extension (RFC 5280 §4.2) or on a SAN that is not printable ASCII.
 *
 * @example
 * const { uris, isCa } = readCertificateIdentity(peerCertificateDer);
 */
export function readCertificateIdentity(der: Uint8Array): CertificateIdentity {
  const top = new DerReader(der);
  const cert = top.enter(top.next(TAG.sequence));
  top.finish();
  const tbs = cert.enter(cert.next(TAG.sequence));
  if (tbs.peekTag() === 0xa0) tbs.next(); // version
  tbs.next(TAG.integer); // serialNumber
  tbs.next(TAG.sequence); // signature algorithm
  tbs.next(TAG.sequence); // issuer
  tbs.next(TAG.sequence); // validity
  const subject = readName(tbs, tbs.next(TAG.sequence));
  tbs.next(TAG.sequence); // subjectPublicKeyInfo
  if (tbs.peekTag() === 0x81) tbs.next();
  if (tbs.peekTag() === 0x82) tbs.next();
  const uris: string[] = [];
  const dnsNames: string[] = [];
  let isCa = false;
  let canSignCertificates = false;
  if (tbs.peekTag() === 0xa3) {
    const wrapper = tbs.enter(tbs.next());
    const extensions = wrapper.enter(wrapper.next(TAG.sequence));
    wrapper.finish();
    const seen = new Set<string>();
    while (!extensions.done) {
      const ext = extensions.enter(extensions.next(TAG.sequence));
      const oid = ext.next(TAG.oid);
      const key = oidToString(der, oid);
      if (seen.has(key)) throw new DerError(`extension ${key} appears twice`);
      seen.add(key);
      if (ext.peekTag() === TAG.boolean) readBoolean(der, ext.next());
      const value = contentOf(der, ext.next(TAG.octetString));
      ext.finish();
      if (oidEquals(der, oid, OID_SAN)) readSan(value, uris, dnsNames);
      else if (oidEquals(der, oid, OID_BASIC_CONSTRAINTS)) isCa = readBasicConstraints(value);
      else if (oidEquals(der, oid, OID_KEY_USAGE)) canSignCertificates = readKeyUsageSigns(value);
    }
  }
  tbs.finish();
  cert.next(TAG.sequence); // signatureAlgorithm
  cert.next(TAG.bitString); // signatureValue
  cert.finish();
  return { uris, dnsNames, subject, isCa, canSignCertificates };
}
