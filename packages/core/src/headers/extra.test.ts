// helmet parity: CSP directives merged over the preset, helmet's four legacy headers on request, any other
// header added or removed, X-Powered-By removed by default.
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { NONCE } from './csp.js';
import { createSecurityHeaders, type SecurityHeadersOptions } from './policy.js';

const csp = (options: SecurityHeadersOptions) =>
  new Map(createSecurityHeaders(options).check().headers).get('content-security-policy');
const headers = (options: SecurityHeadersOptions) => new Map(createSecurityHeaders(options).check().headers);
const configPath = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    if (isConfigError(error)) return error.option;
    throw error;
  }
  return undefined;
};

describe('csp directives over the preset', () => {
  it('keeps the preset directives you do not name (frame-ancestors, base-uri), in the preset order', () => {
    expect(csp({ csp: { directives: { defaultSrc: ["'self'"] } } })).toBe(
      "default-src 'self'; frame-ancestors 'none'",
    );
    const web = csp({
      preset: 'web',
      csp: { directives: { imgSrc: ["'self'", 'https://img.example.com'] } },
    });
    expect(web).toContain("img-src 'self' https://img.example.com;");
    expect(web).toContain("base-uri 'none'");
    expect(web).toContain("frame-ancestors 'none'");
    expect(web).toContain("object-src 'none'");
  });

  it('appends directives the preset lacks, and takes a kebab-case name as the same directive', () => {
    expect(
      csp({
        csp: {
          directives: { 'frame-ancestors': ['https://parent.example'], workerSrc: ["'self'"] } as never,
        },
      }),
    ).toBe("default-src 'none'; frame-ancestors https://parent.example; worker-src 'self'");
  });

  it('removes a preset directive set to false, and only then', () => {
    expect(csp({ csp: { directives: { frameAncestors: false } } })).toBe("default-src 'none'");
    expect(csp({ preset: 'web', csp: { directives: { baseUri: false } } })).not.toContain('base-uri');
  });

  it('replaces the preset as a whole with useDefaults: false', () => {
    expect(csp({ csp: { useDefaults: false, directives: { defaultSrc: ["'self'"] } } })).toBe(
      "default-src 'self'",
    );
    expect(configPath(() => csp({ csp: { useDefaults: 'no' as never, directives: {} } }))).toBe(
      'headers.csp.useDefaults',
    );
  });

  it('still checks every merged directive (an unsafe script source is refused)', () => {
    expect(
      configPath(() => csp({ preset: 'web', csp: { directives: { scriptSrc: ["'unsafe-inline'"] } } })),
    ).toMatch(/^headers\.csp\.directives\.scriptSrc/);
  });

  it('leaves cspReportOnly as given (the policy being rolled out)', () => {
    const h = headers({ cspReportOnly: { directives: { defaultSrc: ["'self'"], scriptSrc: [NONCE] } } });
    expect(h.get('content-security-policy-report-only')).toMatch(/^default-src 'self'; script-src 'nonce-/);
  });
});

describe("helmet's legacy headers", () => {
  it('are off by default and sent as helmet sends them when asked for', () => {
    const none = headers({});
    for (const n of [
      'origin-agent-cluster',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-permitted-cross-domain-policies',
    ])
      expect(none.has(n)).toBe(false);
    const all = headers({
      originAgentCluster: true,
      dnsPrefetchControl: 'off',
      downloadOptions: true,
      permittedCrossDomainPolicies: 'none',
    });
    expect(all.get('origin-agent-cluster')).toBe('?1');
    expect(all.get('x-dns-prefetch-control')).toBe('off');
    expect(all.get('x-download-options')).toBe('noopen');
    expect(all.get('x-permitted-cross-domain-policies')).toBe('none');
  });

  it.each([
    [{ originAgentCluster: 'yes' }, 'headers.originAgentCluster'],
    [{ dnsPrefetchControl: 'maybe' }, 'headers.dnsPrefetchControl'],
    [{ downloadOptions: 1 }, 'headers.downloadOptions'],
    [{ permittedCrossDomainPolicies: 'everything' }, 'headers.permittedCrossDomainPolicies'],
  ])('refuse %j naming %s', (options, path) => {
    expect(configPath(() => createSecurityHeaders(options as never))).toBe(path);
  });
});

describe('extra: add or remove any other header', () => {
  it('removes X-Powered-By by default, and keeps it when given a value', () => {
    expect(createSecurityHeaders().check().value.remove).toEqual(['x-powered-by']);
    const kept = createSecurityHeaders({ extra: { 'X-Powered-By': 'bulwark' } }).check();
    expect(kept.value.remove).toEqual([]);
    expect(new Map(kept.headers).get('x-powered-by')).toBe('bulwark');
  });

  it('adds a header to every response and removes one set false (nonce policies too)', () => {
    const h = createSecurityHeaders({
      preset: 'web',
      extra: { 'X-Robots-Tag': 'noindex', server: false },
    }).check();
    expect(new Map(h.headers).get('x-robots-tag')).toBe('noindex');
    expect(h.value.remove).toEqual(['x-powered-by', 'server']);
    expect(h.value.nonce).toBeDefined();
  });

  it.each([
    [
      { 'content-security-policy': "default-src 'self'" },
      'headers.extra.content-security-policy',
      /set headers\.csp/,
    ],
    [{ 'X-Frame-Options': false }, 'headers.extra.X-Frame-Options', /set headers\.frameOptions/],
    [{ 'cache-control': 'public' }, 'headers.extra.cache-control', /set headers\.noStore/],
    [{ 'set-cookie': 'a=b' }, 'headers.extra.set-cookie', /handler/],
    [{ 'content-length': '0' }, 'headers.extra.content-length', /handler/],
    [{ 'x bad': 'v' }, 'headers.extra.x bad', /header name/],
    [{ 'x-a': 'one\r\nx-b: two' }, 'headers.extra.x-a', /control character/],
    [{ 'x-a': '' }, 'headers.extra.x-a', /not a header value/],
    [{ 'x-a': 1 }, 'headers.extra.x-a', /not a header value/],
    [{ 'x-a': 'v', 'X-A': 'w' }, 'headers.extra.X-A', /given twice/],
  ])('refuses %j at %s', (given, path, message) => {
    try {
      createSecurityHeaders({ extra: given as never });
      expect.unreachable();
    } catch (error) {
      expect(isConfigError(error) && error.option).toBe(path);
      expect(String(error)).toMatch(message);
    }
  });

  it('refuses a headers value that is not an object, and an unknown option next to it', () => {
    expect(configPath(() => createSecurityHeaders({ extra: ['x'] as never }))).toBe('headers.extra');
    expect(configPath(() => createSecurityHeaders({ extras: {} } as never))).toMatch(/^(headers\.)?extras$/);
  });
});
