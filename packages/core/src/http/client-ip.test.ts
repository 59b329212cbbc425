import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import { isConfigError } from '../errors.js';
import { createClientIpResolver } from './client-ip.js';
import { forwardedForHops, forwardedHeaderHops, lastForwardedHeaderHops } from './forwarded-hops.js';
import type { RequestLike } from './request.js';

function req(remoteAddress: string | undefined, headers: Record<string, string> = {}): RequestLike {
  return { method: 'GET', url: '/x?secret=1', header: (n) => headers[n], remoteAddress };
}

describe('forwarding header splitting', () => {
  it('splits X-Forwarded-For, trimming spaces only', () => {
    expect(forwardedForHops('1.2.3.4, 5.6.7.8,9.9.9.9', false)).toEqual(['1.2.3.4', '5.6.7.8', '9.9.9.9']);
    expect(forwardedForHops('1.2.3.4,,5.6.7.8', false)).toEqual(['1.2.3.4', undefined, '5.6.7.8']);
    expect(forwardedForHops('1.2.3.4,\t5.6.7.8', false)[1]).toBe('\t5.6.7.8');
  });
  it('strips ports only when asked', () => {
    expect(forwardedForHops('1.2.3.4:5678', false)).toEqual(['1.2.3.4:5678']);
    expect(forwardedForHops('1.2.3.4:5678, [2001:db8::1]:443, 2001:db8::2', true)).toEqual([
      '1.2.3.4',
      '2001:db8::1',
      '2001:db8::2',
    ]);
    expect(forwardedForHops('1.2.3.4:x, [::1:80', true)).toEqual([undefined, undefined]);
  });
  it('parses RFC 7239 Forwarded: quoted, bracketed IPv6 with port, case-insensitive names', () => {
    expect(
      forwardedHeaderHops(
        'for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https, For="198.51.100.17:80";by=203.0.113.60',
      ),
    ).toEqual(['192.0.2.43', '2001:db8:cafe::17', '198.51.100.17']);
    expect(forwardedHeaderHops('for=unknown, for=_hidden, for="_obf:_port", proto=http')).toEqual([
      'unknown',
      '_hidden',
      '_obf',
      undefined,
    ]);
    expect(forwardedHeaderHops('for=[2001:db8::1], for="2001:db8::1", for="[1.2.3.4]"')).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(forwardedHeaderHops('for=1.2.3.4;for=5.6.7.8, for="unterminated, for=9.9.9.9')).toEqual([
      undefined,
      undefined,
      '9.9.9.9',
    ]);
  });
  it('reads only the right end of a huge Forwarded header, hop for hop as a full split would', () => {
    const element = fc.oneof(
      fc.constantFrom('for=1.2.3.4', 'for="[2001:db8::1]:80"', 'for=_hidden', 'for=unknown', ' for=5.6.7.8 '),
      fc.constantFrom('proto=https', 'for="a', 'b"', '', 'for=1.2.3.4;for=2.2.2.2', 'by=x;for=9.9.9.9'),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 30 }), fc.integer({ min: 1, max: 40 }), (parts, max) => {
        const value = parts.join(',');
        expect(lastForwardedHeaderHops(value, max)).toEqual(
          forwardedHeaderHops(value).reverse().slice(0, max),
        );
      }),
    );
    const bomb = `${'for=6.6.6.6, '.repeat(100_000)}for=203.0.113.9`;
    expect(lastForwardedHeaderHops(bomb, 2)).toEqual(['203.0.113.9', '6.6.6.6']);
  });
});

describe('createClientIpResolver', () => {
  it('uses the socket address and ignores forwarding headers when no proxy is trusted', () => {
    const events: SecurityEvent[] = [];
    const ip = createClientIpResolver({ onEvent: (e) => events.push(e) });
    expect(ip.resolve(req('203.0.113.9', { 'x-forwarded-for': '1.1.1.1' }))).toBe('203.0.113.9');
    expect(ip.resolve(req('203.0.113.9', { 'x-forwarded-for': '2.2.2.2' }))).toBe('203.0.113.9');
    expect(ip.resolve(req('::ffff:203.0.113.9'))).toBe('203.0.113.9');
    expect(ip.resolve(req(undefined))).toBeUndefined();
    expect(ip.resolve(req('garbage'))).toBeUndefined();
    // warned exactly once, with no query string in the event
    expect(events.map((e) => e.type)).toEqual(['client_ip.forwarded_ignored']);
    expect(events[0]!.path).toBe('/x');
  });

  it('walks X-Forwarded-For from the right to the first untrusted hop', () => {
    const ip = createClientIpResolver({ trustedProxies: ['loopback', '10.0.0.0/8'] });
    const xff = (v: string, peer = '127.0.0.1') => ip.resolve(req(peer, { 'x-forwarded-for': v }));
    expect(xff('203.0.113.9')).toBe('203.0.113.9');
    expect(xff('6.6.6.6, 203.0.113.9, 10.0.0.2')).toBe('203.0.113.9');
    expect(xff('6.6.6.6, 203.0.113.9, 10.0.0.2', '::ffff:10.1.1.1')).toBe('203.0.113.9');
    // every hop trusted: the left-most one is the best we know
    expect(xff('10.0.0.3, 10.0.0.2')).toBe('10.0.0.3');
    // no header from a trusted peer: the peer itself
    expect(ip.resolve(req('10.0.0.1'))).toBe('10.0.0.1');
    // an untrusted peer's header is ignored
    expect(xff('1.1.1.1', '198.51.100.1')).toBe('198.51.100.1');
  });

  it('never keys on or trusts junk: the walk stops at the last good address', () => {
    const ip = createClientIpResolver({ trustedProxies: ['private', 'loopback'] });
    const xff = (v: string) => ip.resolve(req('10.0.0.1', { 'x-forwarded-for': v }));
    for (const junk of [
      'unknown',
      'example.com',
      '999.1.1.1',
      ' 1.2.3.4\t',
      '1.2 3.4',
      '',
      ' , ',
      '1.2.3.4:80',
    ]) {
      expect(xff(junk), junk).toBe('10.0.0.1');
    }
    expect(xff('6.6.6.6, junk, 10.0.0.7')).toBe('10.0.0.7');
    expect(xff('junk, 203.0.113.5')).toBe('203.0.113.5');
  });

  it('reads at most maxHops from the right of a huge header', () => {
    const ip = createClientIpResolver({ trustedProxies: ['10.0.0.0/8'], maxHops: 4 });
    const xff = (v: string) => ip.resolve(req('10.0.0.1', { 'x-forwarded-for': v }));
    expect(xff(`${'6.6.6.6, '.repeat(10_000)}203.0.113.5`)).toBe('203.0.113.5');
    // more trusted hops than maxHops: the walk stops at the fourth, never reaching the forged part
    expect(xff('6.6.6.6, 10.0.0.9, 10.0.0.8, 10.0.0.7, 10.0.0.6, 10.0.0.5')).toBe('10.0.0.8');
  });

  it('reads RFC 7239 Forwarded only when configured', () => {
    const ip = createClientIpResolver({ trustedProxies: ['loopback'], forwardedHeader: 'forwarded' });
    const r = req('127.0.0.1', {
      forwarded: 'for=6.6.6.6, for="[2001:db8:cafe::17]:4711"',
      'x-forwarded-for': '7.7.7.7',
    });
    expect(ip.resolve(r)).toBe('2001:db8:cafe::17');
    expect(ip.key(r)).toBe('2001:db8:cafe::/64');
  });

  it('honours a sealed header only from a trusted peer', () => {
    const ip = createClientIpResolver({ trustedProxies: ['192.0.2.0/24'], sealedHeader: 'CF-Connecting-IP' });
    const h = { 'cf-connecting-ip': '203.0.113.7', 'x-forwarded-for': '198.51.100.3' };
    expect(ip.resolve(req('192.0.2.10', h))).toBe('203.0.113.7');
    expect(ip.resolve(req('198.51.100.250', h))).toBe('198.51.100.250');
    // junk in the sealed header falls back to the walk
    expect(ip.resolve(req('192.0.2.10', { ...h, 'cf-connecting-ip': 'unknown' }))).toBe('198.51.100.3');
  });

  it('buckets IPv6 by prefix and IPv4 by address', () => {
    const ip = createClientIpResolver();
    expect(ip.key(req('2001:db8:1:2:aaaa::1'))).toBe('2001:db8:1:2::/64');
    expect(ip.key(req('2001:db8:1:2:ffff:ffff:ffff:ffff'))).toBe('2001:db8:1:2::/64');
    expect(ip.key(req('2001:db8:1:3::1'))).toBe('2001:db8:1:3::/64');
    expect(ip.key(req('fe80::1%eth0'))).toBe('fe80::/64');
    expect(ip.key(req('::ffff:102:304'))).toBe('1.2.3.4');
    const wide = createClientIpResolver({ ipv6Prefix: 48 });
    expect(wide.bucketOf('2001:db8:1:2::1')).toBe('2001:db8:1::/48');
    expect(wide.bucketOf('nope')).toBeUndefined();
  });

  it('keys IPv6 forms that carry an IPv4 host by that host', () => {
    const ip = createClientIpResolver();
    // 6to4 (RFC 3056): one IPv4 host owns 2002:V4::/48, 65 536 /64s; they are one client
    expect(ip.bucketOf('2002:102:304:1::1')).toBe('1.2.3.4');
    expect(ip.bucketOf('2002:102:304:ffff::9')).toBe('1.2.3.4');
    // NAT64 well-known prefix (RFC 6052) and IPv4-compatible (RFC 4291): distinct IPv4 clients, not one /64
    expect(ip.bucketOf('64:ff9b::1.2.3.4')).toBe('1.2.3.4');
    expect(ip.bucketOf('64:ff9b::5.6.7.8')).toBe('5.6.7.8');
    expect(ip.bucketOf('::1.2.3.4')).toBe('1.2.3.4');
    expect(ip.bucketOf('::5.6.7.8')).toBe('5.6.7.8');
    // Teredo (RFC 4380): the client's public IPv4 is the last 32 bits, inverted
    expect(ip.bucketOf('2001:0:4136:e378:8000:63bf:fefd:fcfb')).toBe('1.2.3.4');
    expect(ip.bucketOf('2001:0:4136:e378:8000:1111:fefd:fcfb')).toBe('1.2.3.4');
    // loopback, unspecified and ordinary IPv6 keep their /64
    expect(ip.bucketOf('::1')).toBe('::/64');
    expect(ip.bucketOf('::')).toBe('::/64');
    expect(ip.bucketOf('2001:db8::1.2.3.4')).toBe('2001:db8::/64');
    // trust is still by bits only: a translated spelling of a trusted IPv4 is not trusted
    expect(
      createClientIpResolver({ trustedProxies: ['10.0.0.0/8'] }).isTrustedPeer('64:ff9b::10.0.0.1'),
    ).toBe(false);
  });

  it('answers isTrustedPeer for the mTLS rules', () => {
    const ip = createClientIpResolver({ trustedProxies: ['loopback', '2001:db8::/32'] });
    expect(ip.isTrustedPeer('127.0.0.1')).toBe(true);
    expect(ip.isTrustedPeer('::ffff:127.0.0.1')).toBe(true);
    expect(ip.isTrustedPeer('::1')).toBe(true);
    expect(ip.isTrustedPeer('2001:db8:ffff::1')).toBe(true);
    expect(ip.isTrustedPeer('2001:db9::1')).toBe(false);
    expect(ip.isTrustedPeer('8.8.8.8')).toBe(false);
    expect(ip.isTrustedPeer('junk')).toBe(false);
    expect(ip.isTrustedPeer(undefined)).toBe(false);
    expect(ip.trustedProxies).toEqual(['127.0.0.0/8', '::1/128', '2001:db8::/32']);
  });

  it('refuses dangerous or malformed configuration at construction', () => {
    const bad: unknown[] = [
      { trustedProxies: true },
      { trustedProxies: 1 },
      { trustedProxies: ['0.0.0.0/0'] },
      { trustedProxies: ['::/0'] },
      { trustedProxies: ['::ffff:0:0/96'] },
      { trustedProxies: ['10.0.0.1/8'] },
      { trustedProxies: ['10.0.0.0/33'] },
      { trustedProxies: ['everything'] },
      { trustedProxies: [''] },
      { sealedHeader: 'cf-connecting-ip' },
      { trustedProxies: ['loopback'], sealedHeader: 'bad header' },
      { ipv6Prefix: 16 },
      { ipv6Prefix: 65 },
      { ipv6Prefix: Number.NaN },
      { forwardedHeader: 'x-real-ip' },
    ];
    for (const options of bad) {
      let error: unknown;
      try {
        createClientIpResolver(options as never);
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error), JSON.stringify(options)).toBe(true);
    }
  });

  it('a client behind a trusted proxy can never make the key anything but its own address', () => {
    const ip = createClientIpResolver({ trustedProxies: ['10.0.0.0/8'] });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 12 })), { maxLength: 6 }),
        (forged) => {
          // the trusted proxy appends the real client 203.0.113.77 after whatever the client sent
          const value = [...forged, '203.0.113.77'].join(', ');
          expect(ip.resolve(req('10.9.9.9', { 'x-forwarded-for': value }))).toBe('203.0.113.77');
        },
      ),
    );
  });
});
