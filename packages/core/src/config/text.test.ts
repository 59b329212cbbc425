import { describe, expect, it } from 'vitest';
import { createCorsPolicy } from '../cors/policy.js';
import { isConfigError } from '../errors.js';
import { createSecurityHeaders } from '../headers/policy.js';
import { createClientIpResolver } from '../http/client-ip.js';
import { createMtlsVerifier } from '../mtls/verifier.js';
import { createOidcLogin } from '../oauth/login.js';
import type { OidcClient } from '../oauth/client.js';
import { createRedirectUriMatcher } from '../oauth/redirect-uri.js';
import { createRateLimiter } from '../ratelimit/limiter.js';
import { createWebhookVerifier } from '../webhooks/verifier.js';
import { checkVisible } from './text.js';

// Controls, whitespace and the invisible characters that URL, IDNA or header handling drop or rewrite.
const HIDDEN = [
  '\t',
  '\n',
  '\r',
  '\0',
  '\x7f',
  ' ',
  '\u0085',
  '\u00a0',
  '\u00ad',
  '\u200b',
  '\u2028',
  '\u202e',
  '\ufeff',
];

describe('checkVisible', () => {
  it('names the character and where it is, and shows it escaped', () => {
    expect(() => checkVisible('cors.origins[0]', 'https://app.example.com\t')).toThrow(
      'cors.origins[0]: "https://app.example.com\\u0009" contains a tab (U+0009) at offset 23',
    );
    expect(() => checkVisible('x', 'a\u200bb')).toThrow('contains a zero-width space (U+200B) at offset 1');
    expect(() => checkVisible('x', 'a\u0085')).toThrow('contains a control character (U+0085) at offset 1');
    expect(() => checkVisible('x', 'a\u202e')).toThrow(
      'contains an invisible character (U+202E) at offset 1',
    );
    expect(() => checkVisible('x', 'https://bücher.example')).not.toThrow();
  });
});

/**
 * The same class in every area: a configured string that reaches a header, a URL comparison or a cookie is
 * refused with a ConfigError when it carries a hidden character, wherever the character is.
 */
const client = { authorizationUrl: () => undefined } as unknown as OidcClient;
const slots: [string, (v: string) => unknown][] = [
  ['cors.origins', (v) => createCorsPolicy({ origins: [v] })],
  ['cors.methods', (v) => createCorsPolicy({ origins: ['https://a.example'], methods: [v] })],
  ['cors.allowedHeaders', (v) => createCorsPolicy({ origins: ['https://a.example'], allowedHeaders: [v] })],
  ['cors.exposedHeaders', (v) => createCorsPolicy({ origins: ['https://a.example'], exposedHeaders: [v] })],
  ['csp source', (v) => createSecurityHeaders({ csp: { directives: { defaultSrc: [v] } } })],
  [
    'csp reportUri',
    (v) => createSecurityHeaders({ csp: { directives: { defaultSrc: ["'self'"] }, reportUri: v } }),
  ],
  ['reportingEndpoints URL', (v) => createSecurityHeaders({ reportingEndpoints: { csp: v } })],
  [
    'reportingEndpoints name',
    (v) => createSecurityHeaders({ reportingEndpoints: { [v]: 'https://r.example/c' } }),
  ],
  ['permissionsPolicy origin', (v) => createSecurityHeaders({ permissionsPolicy: { camera: [v] } })],
  ['permissionsPolicy feature', (v) => createSecurityHeaders({ permissionsPolicy: { [v]: [] } })],
  ['redirect URI', (v) => createRedirectUriMatcher([v])],
  ['login cookie name', (v) => createOidcLogin({ client, secret: 'x'.repeat(32), cookieName: v } as never)],
  ['sealedHeader', (v) => createClientIpResolver({ trustedProxies: ['loopback'], sealedHeader: v })],
  ['trustedProxies', (v) => createClientIpResolver({ trustedProxies: [v] })],
  [
    'mTLS forwarded header',
    (v) =>
      createMtlsVerifier({
        authorize: { dnsNames: ['a.example'] },
        forwardedCertificate: { trustedProxies: ['loopback'], header: v },
      } as never),
  ],
  [
    'webhook header names',
    (v) =>
      createWebhookVerifier({
        scheme: {
          type: 'hmac',
          signatureHeader: v,
          idHeader: 'x-id',
          timestampHeader: 'x-ts',
          encoding: 'hex',
          signedContent: 'timestamp.body',
        },
        secrets: 'a-secret-of-sixteen-bytes-or-more',
      } as never),
  ],
  ['rate limiter name', (v) => createRateLimiter({ name: v, rate: '10/s' })],
  ['rate limiter bucket name', (v) => createRateLimiter({ buckets: [{ name: v, rate: '10/s' }] })],
];
const VALID: Record<string, string> = {
  'cors.origins': 'https://app.example.com',
  'cors.methods': 'PATCH',
  'cors.allowedHeaders': 'x-trace',
  'cors.exposedHeaders': 'x-trace',
  'csp source': 'https://cdn.example.com',
  'csp reportUri': 'https://r.example/csp',
  'reportingEndpoints URL': 'https://r.example/csp',
  'reportingEndpoints name': 'csp',
  'permissionsPolicy origin': 'https://maps.example.com',
  'permissionsPolicy feature': 'camera',
  'redirect URI': 'https://app.example.com/cb',
  'login cookie name': '__Host-login',
  sealedHeader: 'cf-connecting-ip',
  trustedProxies: '10.0.0.0/8',
  'mTLS forwarded header': 'x-client-cert',
  'webhook header names': 'x-signature',
  'rate limiter name': 'api',
  'rate limiter bucket name': 'ip',
};

describe('hidden characters in configured strings, every area', () => {
  it.each(slots)(
    '%s: the valid value is accepted, the same with a hidden character anywhere is a ConfigError',
    (name, build) => {
      const valid = VALID[name]!;
      expect(() => build(valid)).not.toThrow();
      for (const c of HIDDEN) {
        for (const v of [`${valid}${c}`, `${c}${valid}`, `${valid.slice(0, 3)}${c}${valid.slice(3)}`]) {
          let error: unknown;
          try {
            build(v);
          } catch (e) {
            error = e;
          }
          expect(isConfigError(error), `${name} ${JSON.stringify(v)}`).toBe(true);
        }
      }
    },
  );
});
