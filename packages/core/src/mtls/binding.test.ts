import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import { createTestCa, issueTestLeaf, type TestLeaf } from '../../test/mtls/pki.js';
import { certificateThumbprint, verifyCertificateBinding } from './binding.js';

let leaf: TestLeaf;
let other: TestLeaf;
let x5t: string;
beforeAll(async () => {
  const ca = await createTestCa();
  leaf = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/a/sa/b'] });
  other = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/a/sa/b'] });
  x5t = createHash('sha256').update(leaf.der).digest('base64url');
});

describe('certificate-bound tokens (RFC 8705)', () => {
  it('computes the x5t#S256 thumbprint as base64url SHA-256 of the DER', async () => {
    expect(await certificateThumbprint(leaf.der)).toBe(x5t);
  });

  it('accepts a token bound to the presented certificate', async () => {
    const v = await verifyCertificateBinding({ sub: 'a', cnf: { 'x5t#S256': x5t } }, leaf.der);
    expect(v.ok && v.value).toEqual({ bound: true });
  });

  it('refuses the token with another certificate (same SPIFFE ID), none, or a malformed cnf', async () => {
    const events: SecurityEvent[] = [];
    const opts = { onEvent: (e: SecurityEvent) => events.push(e) };
    const codes = async (claims: Record<string, unknown>, cert: Uint8Array | undefined) => {
      const v = await verifyCertificateBinding(claims, cert, opts);
      return v.ok ? 'ok' : `${v.error?.status} ${v.error?.code}`;
    };
    expect(await codes({ cnf: { 'x5t#S256': x5t } }, other.der)).toBe('401 MTLS_TOKEN_BINDING_MISMATCH');
    expect(await codes({ cnf: { 'x5t#S256': x5t } }, undefined)).toBe('401 MTLS_TOKEN_BINDING_MISMATCH');
    expect(await codes({ cnf: { 'x5t#S256': 42 } }, leaf.der)).toBe('401 MTLS_TOKEN_BINDING_MISMATCH');
    expect(await codes({ cnf: { 'x5t#S256': `${x5t}=` } }, leaf.der)).toBe('401 MTLS_TOKEN_BINDING_MISMATCH');
    expect(await codes({ cnf: { 'x5t#S256': x5t.slice(0, -2) } }, leaf.der)).toBe(
      '401 MTLS_TOKEN_BINDING_MISMATCH',
    );
    expect(events.map((e) => e.detail)).toEqual([
      'cnf.x5t#S256 does not match the client certificate',
      'the token is certificate-bound but the request has no client certificate',
      'cnf.x5t#S256 is not a string',
      'cnf.x5t#S256 is not a base64url SHA-256 digest',
      'cnf.x5t#S256 is not a base64url SHA-256 digest',
    ]);
    expect(JSON.stringify(events)).not.toContain(x5t);
  });

  it('refuses every other spelling of the right digest: padded, standard alphabet, non-canonical last character', async () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(x5t.at(-1)!);
    // Same 32 bytes when decoded leniently: only the two unused low bits of the last character differ.
    const lenient = `${x5t.slice(0, -1)}${alphabet[last | 1]}`;
    const standard = Buffer.from(x5t, 'base64url').toString('base64');
    for (const spelling of [lenient, standard, `${x5t}==`, ` ${x5t}`, x5t.toUpperCase()]) {
      if (spelling === x5t) continue;
      const v = await verifyCertificateBinding({ cnf: { 'x5t#S256': spelling } }, leaf.der);
      expect(v.ok ? 'ok' : v.error?.code).toBe('MTLS_TOKEN_BINDING_MISMATCH');
    }
    expect(Buffer.from(lenient, 'base64url').equals(Buffer.from(x5t, 'base64url'))).toBe(true);
  });

  it('lets unbound tokens through unless binding is required', async () => {
    expect(await verifyCertificateBinding({ sub: 'a' }, leaf.der)).toMatchObject({
      ok: true,
      value: { bound: false },
    });
    expect(await verifyCertificateBinding({ cnf: { jkt: 'x' } }, undefined)).toMatchObject({ ok: true });
    const required = await verifyCertificateBinding({ sub: 'a' }, leaf.der, { required: true });
    expect(!required.ok && required.error?.code).toBe('MTLS_TOKEN_NOT_BOUND');
    expect(!required.ok && Object.fromEntries(required.reply.headers)['www-authenticate']).toBe(
      'Bearer error="invalid_token"',
    );
  });
});
