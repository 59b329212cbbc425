import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { createClientIpResolver } from './client-ip.js';
import type { RequestLike } from './request.js';

function req(remoteAddress: string | undefined, headers: Record<string, string> = {}): RequestLike {
  return { method: 'GET', url: '/x', header: (n) => headers[n], remoteAddress };
}

function configMessage(options: Parameters<typeof createClientIpResolver>[0]): string {
  try {
    createClientIpResolver(options);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return 'no error';
}

describe('client IP from a named platform', () => {
  it.each([
    ['cloudflare', 'cf-connecting-ip'],
    ['fly', 'fly-client-ip'],
    ['vercel', 'x-real-ip'],
  ] as const)('%s: the client is what %s says, whatever the socket peer or XFF', (platform, header) => {
    const ip = createClientIpResolver({ platform });
    expect(ip.platform).toBe(platform);
    const h = { [header]: ' 203.0.113.9 ', 'x-forwarded-for': '6.6.6.6' };
    expect(ip.resolve(req(undefined, h))).toBe('203.0.113.9');
    expect(ip.resolve(req('172.16.0.1', h))).toBe('203.0.113.9');
    expect(ip.key(req(undefined, { [header]: '2001:db8:1:2::9' }))).toBe('2001:db8:1:2::/64');
    // Not through the edge (no header), or junk in it: no client, never the peer.
    expect(ip.resolve(req('172.16.0.1'))).toBeUndefined();
    expect(ip.resolve(req('172.16.0.1', { [header]: '203.0.113.9, 6.6.6.6' }))).toBeUndefined();
    expect(ip.resolve(req('172.16.0.1', { [header]: 'unknown' }))).toBeUndefined();
  });

  it("reads only the named platform's header", () => {
    const ip = createClientIpResolver({ platform: 'fly' });
    const other = {
      'cf-connecting-ip': '203.0.113.1',
      'x-real-ip': '203.0.113.2',
      'true-client-ip': '203.0.113.3',
    };
    expect(ip.resolve(req('172.16.0.1', other))).toBeUndefined();
    // Without a platform, none of them is believed from an untrusted peer.
    const plain = createClientIpResolver({ onEvent: () => {} });
    expect(plain.platform).toBeUndefined();
    expect(plain.resolve(req('198.51.100.7', other))).toBe('198.51.100.7');
  });

  it('refuses unknown platforms, and says what to do for those whose header a client can set', () => {
    expect(configMessage({ platform: 'fastly' as never })).toMatch(
      /^clientIp\.platform: 'fastly' .*event\.client\.address/,
    );
    expect(configMessage({ platform: 'akamai' as never })).toMatch(/sealedHeader: 'true-client-ip'/);
    expect(configMessage({ platform: 'heroku' as never })).toMatch(/use one of cloudflare, fly, vercel/);
    expect(configMessage({ platform: 'toString' as never })).toMatch(/is not a platform/);
    expect(configMessage({ platform: 1 as never })).toMatch(/is not a platform/);
  });

  it('refuses a platform combined with trustedProxies or sealedHeader', () => {
    expect(configMessage({ platform: 'cloudflare', trustedProxies: ['10.0.0.0/8'] })).toMatch(
      /^clientIp\.platform: is set together with trustedProxies/,
    );
    expect(configMessage({ platform: 'vercel', sealedHeader: 'x-real-ip' })).toMatch(
      /^clientIp\.platform: is set together with trustedProxies or sealedHeader/,
    );
  });
});
