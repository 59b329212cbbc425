import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, issueTestLeaf, type TestLeaf } from '../../test/mtls/pki.js';
import type { Result } from '../verdict.js';
import {
  certificateFromXfcc as certificateResult,
  parseXfcc as parseResult,
  pemCertificateToDer as pemResult,
  urlEncodedPemToDer as urlResult,
} from './forwarded-certificate.js';

// The parsers fail with a reason: these unwrap a Result to the value, or to the reason text.
const unwrap = <T>(r: Result<T, string>): T | string => (r.ok ? r.value : r.error);
const parseXfcc = (h: string) => unwrap(parseResult(h));
const pemCertificateToDer = (p: string) => unwrap(pemResult(p));
const urlEncodedPemToDer = (v: string) => unwrap(urlResult(v));
const certificateFromXfcc = (h: string) => unwrap(certificateResult(h));

let leaf: TestLeaf;
let other: TestLeaf;
beforeAll(async () => {
  const ca = await createTestCa();
  leaf = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/a/sa/b'] });
  other = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/c/sa/d'] });
});

describe('parseXfcc', () => {
  it('splits elements and pairs, with quoted values and escapes', () => {
    expect(parseXfcc('By=spiffe://a/b;Hash=ab12;URI=spiffe://c/d')).toEqual([
      [
        ['by', 'spiffe://a/b'],
        ['hash', 'ab12'],
        ['uri', 'spiffe://c/d'],
      ],
    ]);
    expect(parseXfcc('By=x;Subject="CN=a, O=b \\"q\\"";URI=u,By=y;URI=v')).toEqual([
      [
        ['by', 'x'],
        ['subject', 'CN=a, O=b "q"'],
        ['uri', 'u'],
      ],
      [
        ['by', 'y'],
        ['uri', 'v'],
      ],
    ]);
  });

  it('refuses malformed headers', () => {
    expect(parseXfcc('')).toMatch(/missing '='/);
    expect(parseXfcc('By')).toMatch(/missing '='/);
    expect(parseXfcc('By=a,')).toMatch(/missing '='/);
    expect(parseXfcc('=a')).toMatch(/invalid key/);
    expect(parseXfcc('Subject="abc')).toMatch(/unterminated/);
    expect(parseXfcc('Subject="a"b')).toMatch(/unexpected character/);
    expect(parseXfcc('Subject=a"b')).toMatch(/unexpected quote/);
  });

  it('property: any string parses to elements or a reason, never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '=', ';', ',', '"', '\\', ' ', 'B', '%') }), (s) => {
        const r = parseResult(s);
        expect(r.ok ? Array.isArray(r.value) : typeof r.error === 'string').toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: quoted values round-trip', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const q = (v: string) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
        expect(parseXfcc(`Subject=${q(a)};URI=${q(b)}`)).toEqual([
          [
            ['subject', a],
            ['uri', b],
          ],
        ]);
      }),
    );
  });
});

describe('certificates in headers', () => {
  it('decodes one PEM certificate, strictly', () => {
    expect(pemCertificateToDer(leaf.certPem)).toEqual(leaf.der);
    expect(pemCertificateToDer(leaf.certPem + other.certPem)).toMatch(/more than one/);
    expect(pemCertificateToDer(leaf.keyPem)).toMatch(/not a PEM CERTIFICATE/);
    expect(pemCertificateToDer('-----BEGIN CERTIFICATE-----\nAAA*\n-----END CERTIFICATE-----')).toMatch(
      /base64/,
    );
    expect(pemCertificateToDer('-----BEGIN CERTIFICATE-----\nAAAA')).toMatch(/END/);
    expect(urlEncodedPemToDer(encodeURIComponent(leaf.certPem))).toEqual(leaf.der);
    expect(urlEncodedPemToDer('%E0%A4%A')).toMatch(/URL encoding/);
  });

  it('takes the Cert of the last XFCC element (the nearest hop)', () => {
    const cert = (pem: string) => `Cert="${encodeURIComponent(pem)}"`;
    const header = `By=spiffe://x/y;Hash=00;${cert(other.certPem)};URI=spiffe://corp.example.com/ns/c/sa/d,By=spiffe://x/z;${cert(leaf.certPem)}`;
    expect(certificateFromXfcc(header)).toEqual(leaf.der);
    expect(certificateFromXfcc('By=spiffe://x/y;URI=spiffe://corp.example.com/ns/a/sa/b')).toMatch(
      /no Cert field/,
    );
    expect(certificateFromXfcc(`${cert(leaf.certPem)};${cert(other.certPem)}`)).toMatch(/several Cert/);
    expect(certificateFromXfcc('Cert="abc')).toMatch(/malformed XFCC/);
    expect(certificateFromXfcc(`Cert=${encodeURIComponent(leaf.certPem)}`)).toEqual(leaf.der);
  });
});
