import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestLike } from '../http/request.js';
import { createCorsPolicy } from './policy.js';

const ALLOWED = ['https://app.example.com', 'http://localhost:5173'];
const cors = createCorsPolicy({ origins: [...ALLOWED, 'https://*.tenants.example.com'], credentials: true });
const tenant = /^https:\/\/[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.tenants\.example\.com$/;

function check(origin: string, preflight: boolean) {
  const req: RequestLike = {
    method: preflight ? 'OPTIONS' : 'GET',
    url: '/',
    header: (n) =>
      n === 'origin' ? origin : preflight && n === 'access-control-request-method' ? 'PUT' : undefined,
  };
  const v = cors.check(req);
  return Object.fromEntries(v.ok ? v.headers : v.reply.headers);
}

// Strings built from origin-like pieces, so the generator often lands near the allowed origins.
const nearOrigin = fc
  .tuple(
    fc.constantFrom('https://', 'http://', 'HTTPS://', 'https:/', ''),
    fc.array(
      fc.constantFrom('app', 'example', 'com', 'tenants', 'evil', 'localhost', 'a-b', 'APP', '', 'x'),
      {
        minLength: 1,
        maxLength: 5,
      },
    ),
    fc.constantFrom('', ':5173', ':443', ':80', ':0', '/', ' ', ',https://app.example.com', '.'),
  )
  .map(([scheme, labels, tail]) => `${scheme}${labels.join('.')}${tail}`);

describe('createCorsPolicy (properties)', () => {
  it('grants exactly the listed origins and one-label tenant subdomains, always echoing, always with Vary', () => {
    fc.assert(
      fc.property(fc.oneof(nearOrigin, fc.string({ maxLength: 60 })), fc.boolean(), (origin, preflight) => {
        const h = check(origin, preflight);
        const granted = h['access-control-allow-origin'];
        const shouldGrant = ALLOWED.includes(origin) || tenant.test(origin);
        expect(granted === undefined ? undefined : granted).toBe(shouldGrant ? origin : undefined);
        if (granted !== undefined) expect(h['access-control-allow-credentials']).toBe('true');
        expect(h.vary).toMatch(/^Origin/);
      }),
      { numRuns: 5000 },
    );
  });
});
