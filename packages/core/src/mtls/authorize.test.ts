import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import {
  authorizeAllOf,
  authorizeAnyOf,
  authorizeDnsName,
  authorizeId,
  authorizeMemberOf,
  authorizeOneOf,
  authorizePathPrefix,
  authorizeSubject,
  createMtlsAuthorizer,
  decide,
  type MtlsAuthorizer,
} from './authorize.js';
import type { MtlsPeer } from './peer.js';
import { parseSpiffeId } from './spiffe.js';

function peer(id: string | undefined, extra: Partial<MtlsPeer> = {}): MtlsPeer {
  const parsed = id === undefined ? undefined : parseSpiffeId(id);
  if (parsed !== undefined && !parsed.ok) throw new Error(parsed.error);
  return {
    spiffeId: parsed?.value,
    dnsNames: [],
    subject: undefined,
    certificate: new Uint8Array(),
    via: 'tls',
    ...extra,
  };
}

const allowed = (a: MtlsAuthorizer, id: string | undefined, extra: Partial<MtlsPeer> = {}) =>
  decide(a, peer(id, extra)).ok;

const configProblem = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (isConfigError(err)) return err.message;
    throw err;
  }
  throw new Error('no ConfigError');
};

describe('authorizers', () => {
  it('authorizeId matches one exact ID', () => {
    const a = authorizeId('spiffe://corp.example.com/ns/billing/sa/api');
    expect(allowed(a, 'spiffe://corp.example.com/ns/billing/sa/api')).toBe(true);
    expect(allowed(a, 'spiffe://corp.example.com/ns/billing/sa/api2')).toBe(false);
    expect(allowed(a, 'spiffe://corp.example.com/ns/billing/sa')).toBe(false);
    expect(allowed(a, undefined, { dnsNames: ['spiffe://corp.example.com/ns/billing/sa/api'] })).toBe(false);
    const d = decide(a, peer('spiffe://corp.example.com/ns/web/sa/x'));
    expect(!d.ok && d.error).toBe(
      'spiffe://corp.example.com/ns/web/sa/x is not spiffe://corp.example.com/ns/billing/sa/api',
    );
  });

  it('authorizeOneOf matches any listed ID', () => {
    const a = authorizeOneOf(['spiffe://corp.example.com/ns/a/sa/x', 'spiffe://corp.example.com/ns/b/sa/y']);
    expect(allowed(a, 'spiffe://corp.example.com/ns/b/sa/y')).toBe(true);
    expect(allowed(a, 'spiffe://corp.example.com/ns/c/sa/z')).toBe(false);
  });

  it('authorizeMemberOf compares the trust domain exactly', () => {
    const a = authorizeMemberOf('corp.example.com');
    expect(allowed(a, 'spiffe://corp.example.com/ns/X/sa/y')).toBe(true);
    expect(allowed(a, 'spiffe://corp.example.com.evil/ns/X/sa/y')).toBe(false);
    expect(allowed(a, 'spiffe://evil.corp.example.com/ns/X/sa/y')).toBe(false);
    expect(allowed(authorizeMemberOf('spiffe://corp.example.com'), 'spiffe://corp.example.com/a')).toBe(true);
  });

  it('authorizePathPrefix is segment-aware', () => {
    const a = authorizePathPrefix('corp.example.com', '/ns/X');
    expect(allowed(a, 'spiffe://corp.example.com/ns/X')).toBe(true);
    expect(allowed(a, 'spiffe://corp.example.com/ns/X/sa/y')).toBe(true);
    expect(allowed(a, 'spiffe://corp.example.com/ns/X-evil/sa/y')).toBe(false);
    expect(allowed(a, 'spiffe://corp.example.com/ns/Xy')).toBe(false);
    expect(allowed(a, 'spiffe://corp.example.com/ns/x/sa/y')).toBe(false);
    expect(allowed(a, 'spiffe://corp.example.com.evil/ns/X/sa/y')).toBe(false);
    expect(allowed(a, 'spiffe://other.example.com/ns/X/sa/y')).toBe(false);
  });

  it('property: a path prefix matches exactly the IDs whose segments start with its segments', () => {
    const seg = fc.constantFrom('ns', 'X', 'X-evil', 'Xy', 'sa', 'y', 'x');
    fc.assert(
      fc.property(
        fc.array(seg, { minLength: 1, maxLength: 3 }),
        fc.array(seg, { minLength: 1, maxLength: 5 }),
        (p, s) => {
          const a = authorizePathPrefix('corp.example.com', `/${p.join('/')}`);
          const expected = p.length <= s.length && p.every((v, i) => s[i] === v);
          expect(allowed(a, `spiffe://corp.example.com/${s.join('/')}`)).toBe(expected);
        },
      ),
    );
  });

  it('DNS and subject authorizers only see opted-in identities', () => {
    const dns = authorizeDnsName(['Billing.internal.example.com']);
    expect(allowed(dns, undefined, { dnsNames: ['billing.internal.example.com'] })).toBe(true);
    expect(allowed(dns, undefined, { dnsNames: ['billing.internal.example.com.evil'] })).toBe(false);
    expect(allowed(dns, 'spiffe://corp.example.com/a')).toBe(false);
    const subj = authorizeSubject(['O=Corp,CN=billing']);
    expect(allowed(subj, undefined, { subject: 'O=Corp,CN=billing' })).toBe(true);
    expect(allowed(subj, undefined, { subject: 'O=Corp,CN=billing2' })).toBe(false);
    expect(allowed(subj, undefined)).toBe(false);
  });

  it('combine with authorizeAnyOf / authorizeAllOf and fail closed on throwing or odd custom authorizers', () => {
    const any = authorizeAnyOf(
      authorizePathPrefix('corp.example.com', '/ns/billing'),
      authorizeId('spiffe://corp.example.com/ns/ops/sa/admin'),
    );
    expect(allowed(any, 'spiffe://corp.example.com/ns/ops/sa/admin')).toBe(true);
    expect(allowed(any, 'spiffe://corp.example.com/ns/billing/sa/x')).toBe(true);
    const refused = decide(any, peer('spiffe://corp.example.com/ns/ops/sa/other'));
    expect(!refused.ok && refused.error).toMatch(/not under \/ns\/billing.*; .*is not spiffe/);
    const all = authorizeAllOf(
      authorizeMemberOf('corp.example.com'),
      (p) => !p.spiffeId?.path.startsWith('/ns/sandbox'),
    );
    expect(allowed(all, 'spiffe://corp.example.com/ns/prod/sa/x')).toBe(true);
    expect(allowed(all, 'spiffe://corp.example.com/ns/sandbox/sa/x')).toBe(false);
    expect(
      allowed(() => {
        throw new Error('boom');
      }, 'spiffe://corp.example.com/a'),
    ).toBe(false);
    expect(allowed((() => 'yes') as unknown as MtlsAuthorizer, 'spiffe://corp.example.com/a')).toBe(false);
  });

  it('policy objects allow any listed entry', () => {
    const a = createMtlsAuthorizer({
      ids: ['spiffe://partner.example.net/svc/sync'],
      trustDomains: ['corp.example.com'],
      pathPrefixes: [{ trustDomain: 'ops.example.com', prefix: '/ns/tools' }],
    });
    expect(allowed(a, 'spiffe://partner.example.net/svc/sync')).toBe(true);
    expect(allowed(a, 'spiffe://corp.example.com/x')).toBe(true);
    expect(allowed(a, 'spiffe://ops.example.com/ns/tools/sa/y')).toBe(true);
    expect(allowed(a, 'spiffe://ops.example.com/ns/toolsx')).toBe(false);
    expect(allowed(a, 'spiffe://partner.example.net/svc/other')).toBe(false);
  });

  it('refuses bad configuration at construction', () => {
    expect(configProblem(() => authorizeId('spiffe://Corp.example.com/a'))).toMatch(/authorizeId.*lowercase/);
    expect(configProblem(() => authorizeId('spiffe://corp.example.com'))).toMatch(
      /trust domain, not a workload/,
    );
    expect(configProblem(() => authorizeOneOf([]))).toMatch(/at least one/);
    expect(configProblem(() => authorizeMemberOf('corp.example.com:443'))).toMatch(/port/);
    expect(configProblem(() => authorizePathPrefix('corp.example.com', '/ns/X/'))).toMatch(/trailing/);
    expect(configProblem(() => authorizePathPrefix('corp.example.com', ''))).toMatch(/empty/);
    expect(configProblem(() => authorizeDnsName(['*.example.com']))).toMatch(/wildcards/);
    expect(configProblem(() => createMtlsAuthorizer({}))).toMatch(/lists nobody/);
    expect(configProblem(() => createMtlsAuthorizer(null as never))).toMatch(/function or a policy object/);
    expect(configProblem(() => authorizeAnyOf())).toMatch(/at least one/);
  });
});
