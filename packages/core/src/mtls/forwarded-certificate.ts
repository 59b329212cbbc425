/**
 * Client certificates forwarded by a TLS-terminating proxy: Envoy's `X-Forwarded-Client-Cert` (XFCC) and the
 * plain "URL-encoded PEM in a header" form (nginx `$ssl_client_escaped_cert`, many ingresses). These parsers
 * only read; whether the sender may be believed is decided by the caller (trusted proxies only).
 */
import { fail, ok, type Result } from '../verdict.js';

/** One XFCC element: its key/value pairs in order, keys lowercased (`by`, `hash`, `cert`, `uri`…). */
export type XfccElement = readonly (readonly [key: string, value: string])[];

/**
 * Split an XFCC header into elements (one per proxy hop, comma-separated) of `key=value` pairs
 * (semicolon-separated). Values may be double-quoted, with `\` escaping inside quotes. Fails with the
 * reason when the header is malformed; nothing is guessed.
 *
 * @example
 * parseXfcc('By=spiffe://a/b;Hash=ab12;URI=spiffe://c/d') // [[['by','spiffe://a/b'],['hash','ab12'],['uri','spiffe://c/d']]]
 */
export function parseXfcc(header: string): Result<XfccElement[], string> {
  const elements: XfccElement[] = [];
  let pairs: [string, string][] = [];
  let i = 0;
  const n = header.length;
  while (i <= n) {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
    const eq = header.indexOf('=', i);
    if (eq === -1) return fail(`missing '=' at offset ${i}`);
    const key = header.slice(i, eq).trim().toLowerCase();
    if (key === '' || !/^[a-z0-9_-]+$/.test(key)) return fail(`invalid key at offset ${i}`);
    i = eq + 1;
    let value = '';
    if (header[i] === '"') {
      i++;
      let closed = false;
      while (i < n) {
        const c = header[i]!;
        if (c === '\\') {
          if (i + 1 >= n) return fail('dangling escape');
          value += header[i + 1];
          i += 2;
        } else if (c === '"') {
          closed = true;
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) return fail('unterminated quoted value');
      while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
    } else {
      const start = i;
      while (i < n && header[i] !== ';' && header[i] !== ',') {
        if (header[i] === '"') return fail(`unexpected quote at offset ${i}`);
        i++;
      }
      value = header.slice(start, i).trim();
    }
    pairs.push([key, value]);
    if (i >= n) {
      elements.push(pairs);
      break;
    }
    const sep = header[i];
    if (sep === ';') {
      i++;
    } else if (sep === ',') {
      elements.push(pairs);
      pairs = [];
      i++;
    } else {
      return fail(`unexpected character at offset ${i}`);
    }
  }
  return ok(elements);
}

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decode exactly one PEM `CERTIFICATE` block to DER (strict base64; whitespace between lines only).
 * Fails with the reason on anything else, including a second certificate (a chain is not a client certificate).
 *
 * @example
 * const der = pemCertificateToDer(pem); if (der.ok) identifyPeer(der.value, 'proxy');
 */
export function pemCertificateToDer(pem: string): Result<Uint8Array, string> {
  const text = pem.trim();
  if (!text.startsWith(BEGIN)) return fail('not a PEM CERTIFICATE block');
  const end = text.indexOf(END);
  if (end === -1) return fail('PEM block has no END line');
  if (text.length !== end + END.length) return fail('more than one PEM block');
  const body = text.slice(BEGIN.length, end).replace(/[\r\n\t ]/g, '');
  if (body.length === 0 || body.length % 4 !== 0 || !B64.test(body)) return fail('PEM body is not base64');
  let binary: string;
  try {
    binary = atob(body);
  } catch {
    return fail('PEM body is not base64');
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return ok(out);
}

/**
 * Decode a URL-encoded PEM certificate (what Envoy puts in XFCC `Cert=` and nginx in
 * `$ssl_client_escaped_cert`) to DER.
 *
 * @example
 * urlEncodedPemToDer('-----BEGIN%20CERTIFICATE-----%0AMIIB...') // { ok: true, value: Uint8Array }
 */
export function urlEncodedPemToDer(value: string): Result<Uint8Array, string> {
  let pem: string;
  try {
    pem = decodeURIComponent(value);
  } catch {
    return fail('the certificate is not valid URL encoding');
  }
  return pemCertificateToDer(pem);
}

/**
 * The client certificate the nearest proxy hop vouches for: the `Cert` of the LAST XFCC element (Envoy appends
 * its own element; earlier ones were written further away). Exactly one `Cert` is required there.
 *
 * @example
 * const der = certificateFromXfcc(req.header('x-forwarded-client-cert') ?? '');
 */
export function certificateFromXfcc(header: string): Result<Uint8Array, string> {
  const elements = parseXfcc(header);
  if (!elements.ok) return fail(`malformed XFCC: ${elements.error}`);
  const last = elements.value[elements.value.length - 1];
  if (last === undefined) return fail('empty XFCC');
  const certs = last.filter(([k]) => k === 'cert');
  if (certs.length === 0) {
    return fail(
      'the XFCC element has no Cert field; configure the proxy to forward the certificate (Envoy: set_current_client_cert_details.cert: true)',
    );
  }
  if (certs.length > 1) return fail('the XFCC element has several Cert fields');
  return urlEncodedPemToDer(certs[0]![1]);
}
