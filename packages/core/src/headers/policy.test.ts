import { describe, expect, it } from 'vitest';
import { NONCE } from './csp.js';
import { createSecurityHeaders, NO_STORE } from './policy.js';
import { DEFAULT_PERMISSIONS_POLICY, serializePermissionsPolicy } from './permissions-policy.js';

type Req = { header(name: string): string | undefined };
const anon: Req = { header: () => undefined };
const withAuth = { header: (n: string) => (n === 'authorization' ? 'Bearer x' : undefined) };
const rec = (h: Record<string, string>): Req => ({ header: (n) => h[n] });
const map = (h: ReturnType<typeof createSecurityHeaders>, req: Req = anon) =>
  Object.fromEntries(h.check(req).headers);

describe('createSecurityHeaders', () => {
  it('has safe API defaults', () => {
    expect(map(createSecurityHeaders())).toEqual({
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'x-xss-protection': '0',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'permissions-policy': 'camera=(), geolocation=(), microphone=()',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
  });
  it('disables every powerful feature with the web preset (documents are where Permissions-Policy applies)', () => {
    expect(map(createSecurityHeaders({ preset: 'web' }))['permissions-policy']).toMatch(
      /^accelerometer=\(\), autoplay=\(\), camera=\(\),.* microphone=\(\),.* usb=\(\), xr-spatial-tracking=\(\)$/,
    );
    expect(
      map(createSecurityHeaders({ preset: 'api', permissionsPolicy: DEFAULT_PERMISSIONS_POLICY })),
    ).toMatchObject({
      'permissions-policy': serializePermissionsPolicy(DEFAULT_PERMISSIONS_POLICY, 'p'),
    });
  });
  it('precomputes: without nonces the same frozen list is returned every time', () => {
    const h = createSecurityHeaders();
    expect(h.usesNonce).toBe(false);
    expect(h.check(anon)).toBe(h.check(anon));
    expect(Object.isFrozen(h.check(anon).headers)).toBe(true);
    expect(Object.isFrozen(h.check(anon).headers[0])).toBe(true);
  });
  it('adds cache-control: no-store to credentialed requests, or always/never', () => {
    const h = createSecurityHeaders();
    expect(map(h, withAuth)['cache-control']).toBe('no-store');
    expect(map(h, { header: (n: string) => (n === 'cookie' ? 'sid=1' : undefined) })['cache-control']).toBe(
      'no-store',
    );
    expect(map(h)['cache-control']).toBeUndefined();
    expect(h.check().headers).not.toContain(NO_STORE);
    expect(map(createSecurityHeaders({ noStore: 'always' }))['cache-control']).toBe('no-store');
    expect(h.check(rec({ authorization: 'Bearer x' })).headers).toContain(NO_STORE);
    expect(h.check(rec({ cookie: 'a=1' })).headers).toContain(NO_STORE);
    expect(h.check(rec({ accept: '*/*' }))).toBe(h.check(anon));
    const web = createSecurityHeaders({ preset: 'web' });
    expect(web.check(rec({ cookie: 'a=1' })).headers).toContain(NO_STORE);
    expect(web.check(rec({})).value.nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(map(createSecurityHeaders({ noStore: 'never' }), withAuth)['cache-control']).toBeUndefined();
  });
  it('web preset: fresh 128-bit nonce per response, in script-src and style-src', () => {
    const h = createSecurityHeaders({ preset: 'web' });
    expect(h.usesNonce).toBe(true);
    const a = h.check(anon);
    const b = h.check(anon);
    expect(a.value.nonce).not.toBe(b.value.nonce);
    expect(atob(a.value.nonce!).length).toBe(16);
    const csp = Object.fromEntries(a.headers)['content-security-policy']!;
    expect(csp).toContain(
      `script-src 'self' 'nonce-${a.value.nonce}'; style-src 'self' 'nonce-${a.value.nonce}'`,
    );
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("'nonce'");
  });
  it('enforce and report-only side by side, with Reporting-Endpoints, report-to and report-uri', () => {
    const h = createSecurityHeaders({
      reportingEndpoints: { csp: 'https://example.com/reports', local: '/r' },
      csp: { directives: { defaultSrc: ["'self'"] }, reportUri: '/r', reportTo: 'csp' },
      cspReportOnly: {
        directives: { defaultSrc: ["'self'"], scriptSrc: [NONCE, "'strict-dynamic'"] },
        reportTo: 'csp',
      },
    });
    const a = h.check(anon);
    const m = Object.fromEntries(a.headers);
    expect(m['reporting-endpoints']).toBe('csp="https://example.com/reports", local="/r"');
    expect(m['content-security-policy']).toBe(
      "default-src 'self'; frame-ancestors 'none'; report-uri /r; report-to csp",
    );
    expect(m['content-security-policy-report-only']).toBe(
      `default-src 'self'; script-src 'nonce-${a.value.nonce}' 'strict-dynamic'; report-to csp`,
    );
  });
  it('HSTS options and validation', () => {
    expect(
      map(createSecurityHeaders({ hsts: { maxAgeSeconds: 63072000, preload: true } }))[
        'strict-transport-security'
      ],
    ).toBe('max-age=63072000; includeSubDomains; preload');
    expect(() => createSecurityHeaders({ hsts: { maxAgeSeconds: 300, preload: true } })).toThrow(
      /^headers\.hsts\.preload/,
    );
    expect(() => createSecurityHeaders({ hsts: { includeSubDomains: false, preload: true } })).toThrow(
      /^headers\.hsts\.preload/,
    );
    for (const bad of [-1, Number.NaN, 1.5, Number.POSITIVE_INFINITY, '31536000']) {
      expect(() => createSecurityHeaders({ hsts: { maxAgeSeconds: bad as number } })).toThrow(
        /^headers\.hsts\.maxAgeSeconds/,
      );
    }
    expect(map(createSecurityHeaders({ hsts: false }))['strict-transport-security']).toBeUndefined();
  });
  it('refuses ALLOW-FROM, bad referrer tokens, unknown options and bad endpoints', () => {
    expect(() => createSecurityHeaders({ frameOptions: 'ALLOW-FROM https://a.com' as never })).toThrow(
      /obsolete/,
    );
    expect(() => createSecurityHeaders({ frameOptions: 'allow' as never })).toThrow(/^headers\.frameOptions/);
    expect(() => createSecurityHeaders({ referrerPolicy: 'never' as never })).toThrow(/referrerPolicy/);
    expect(() => createSecurityHeaders({ referrerPolicy: [] })).toThrow(/referrerPolicy/);
    expect(
      map(createSecurityHeaders({ referrerPolicy: ['no-referrer', 'strict-origin'] }))['referrer-policy'],
    ).toBe('no-referrer, strict-origin');
    expect(() => createSecurityHeaders({ hst: {} } as never)).toThrow(
      /hst: is not a known option \(did you mean hsts\?\)/,
    );
    expect(() => createSecurityHeaders({ preset: 'html' as never })).toThrow(/preset/);
    expect(() => createSecurityHeaders({ reportingEndpoints: { csp: 'http://evil.example/r' } })).toThrow(
      /https/,
    );
    expect(() => createSecurityHeaders({ reportingEndpoints: { 'Bad Name': '/r' } })).toThrow(
      /endpoint name/,
    );
    expect(() => createSecurityHeaders({ reportingEndpoints: { a: '/r"x' } })).toThrow(
      /reportingEndpoints\.a/,
    );
    expect(() => createSecurityHeaders({ crossOriginResourcePolicy: 'none' as never })).toThrow(
      /crossOriginResourcePolicy/,
    );
  });
  it('can drop headers with false', () => {
    const m = map(
      createSecurityHeaders({
        csp: false,
        frameOptions: false,
        permissionsPolicy: false,
        crossOriginOpenerPolicy: false,
      }),
    );
    expect(Object.keys(m).sort()).toEqual([
      'cross-origin-resource-policy',
      'referrer-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-xss-protection',
    ]);
  });
});

describe('serializePermissionsPolicy', () => {
  it('uses the structured-field form with quoted origins', () => {
    expect(
      serializePermissionsPolicy(
        { camera: [], fullscreen: ['self', 'https://a.example.com'], geolocation: ['*'] },
        'pp',
      ),
    ).toBe('camera=(), fullscreen=(self "https://a.example.com"), geolocation=*');
    expect(serializePermissionsPolicy({ fullscreen: ["'self'"] }, 'pp')).toBe('fullscreen=(self)');
  });
  it('refuses the legacy none forms, bad origins and bad feature names', () => {
    expect(() => serializePermissionsPolicy({ camera: 'none' as never }, 'pp')).toThrow(/write \[\]/);
    expect(() => serializePermissionsPolicy({ camera: ['none'] }, 'pp')).toThrow(/write \[\]/);
    expect(() => serializePermissionsPolicy({ camera: ['https://a.com/'] }, 'pp')).toThrow(/pp\.camera/);
    expect(() => serializePermissionsPolicy({ camera: ['a.com'] }, 'pp')).toThrow(/pp\.camera/);
    expect(() => serializePermissionsPolicy({ camera: ['"https://a.com"'] }, 'pp')).toThrow(/pp\.camera/);
    expect(() => serializePermissionsPolicy({ Camera: [] }, 'pp')).toThrow(/feature name/);
    expect(() => serializePermissionsPolicy({ camera: ['*', 'self'] }, 'pp')).toThrow(/alone/);
  });
});
