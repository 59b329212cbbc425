import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Cidr, inAnyCidr, NAMED_RANGES, parseCidr, parseTrustList } from './cidr.js';
import { formatIp, maskIp, parseIp } from './ip.js';

// The network, or the reason it was refused.
const cidrOf = (text: string): Cidr | string => {
  const r = parseCidr(text);
  return r.ok ? r.value : r.error;
};

// proxy-addr is what express's `trust proxy` uses: users move their trust lists from it.
const proxyaddr = createRequire(import.meta.url)('proxy-addr') as {
  compile(value: string | string[]): (addr: string, i: number) => boolean;
};
const PROXY_ADDR_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
// The ipaddr.js proxy-addr parses with (1.x): it reads no IPv6 text with a dotted quad after a prefix other
// than ::ffff: (RFC 4291 §2.2's x:x:x:x:x:x:d.d.d.d), so proxy-addr trusts none of them; we read them.
const requireHere = createRequire(import.meta.url);
const ipaddr = createRequire(requireHere.resolve('proxy-addr'))('ipaddr.js') as {
  isValid(addr: string): boolean;
};

const allCidrs = [...new Set(Object.values(NAMED_RANGES).flat())].map((t) => cidrOf(t));

/** An address inside one of the named networks, at its edge, or just outside it (one prefix bit flipped). */
const address = fc
  .tuple(
    fc.constantFrom(...allCidrs),
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
    fc.constantFrom('random', 'first', 'last', 'outside'),
    fc.nat(),
  )
  .map(([cidr, random, where, flip]) => {
    if (typeof cidr === 'string') throw new Error(cidr);
    const words = new Uint16Array(8);
    for (let bit = 0; bit < 128; bit++) {
      const w = bit >> 4;
      const mask = 0x8000 >> (bit & 15);
      const fromNetwork = bit < cidr.bits;
      const hostBit = where === 'first' ? 0 : where === 'last' ? mask : random[w]! & mask;
      if (fromNetwork ? cidr.network[w]! & mask : hostBit) words[w]! |= mask;
    }
    if (where === 'outside') {
      // Flip a bit of the prefix (never one of the IPv4-mapped marker bits, which would leave IPv4).
      const first = cidr.bits > 96 && words[5] === 0xffff ? 96 : 0;
      const bit = first + (flip % Math.max(1, cidr.bits - first));
      words[bit >> 4]! ^= 0x8000 >> (bit & 15);
    }
    return formatIp(words);
  });

describe('named trust sets', () => {
  it('loopback, linklocal and uniquelocal trust exactly what proxy-addr trusts (express trust proxy)', () => {
    for (const name of PROXY_ADDR_NAMES) expect(Object.keys(NAMED_RANGES)).toContain(name);
    const ours = Object.fromEntries(PROXY_ADDR_NAMES.map((n) => [n, parseTrustList('t', [n])]));
    const theirs = Object.fromEntries(PROXY_ADDR_NAMES.map((n) => [n, proxyaddr.compile(n)]));
    fc.assert(
      fc.property(fc.oneof(address, fc.ipV4(), fc.ipV6()), (addr) => {
        fc.pre(ipaddr.isValid(addr));
        for (const name of PROXY_ADDR_NAMES) {
          expect(inAnyCidr(parseIp(addr)!, ours[name]!), `${name} ${addr}`).toBe(theirs[name]!(addr, 0));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('uniquelocal is RFC 1918 plus fc00::/7, like proxy-addr, and private is the same set', () => {
    const unique = parseTrustList('t', ['uniquelocal']);
    for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', 'fd12:3456::1', 'fc00::1']) {
      expect(inAnyCidr(parseIp(a)!, unique), a).toBe(true);
      expect(proxyaddr.compile('uniquelocal')(a, 0), a).toBe(true);
    }
    // The same fc00::/7 address in RFC 4291 mixed notation (which proxy-addr cannot parse) is the same address.
    expect(inAnyCidr(parseIp('fc00::0.0.0.0')!, unique)).toBe(true);
    for (const a of ['172.32.0.1', '192.169.0.1', '11.0.0.1', 'fe80::1', '100.64.0.1']) {
      expect(inAnyCidr(parseIp(a)!, unique), a).toBe(false);
    }
    expect(parseTrustList('t', ['private']).map((c) => c.text)).toEqual(unique.map((c) => c.text));
  });

  it('IPv4-mapped spellings of a trusted IPv4 peer are trusted, as in proxy-addr', () => {
    const loop = parseTrustList('t', ['loopback']);
    for (const a of ['::ffff:127.0.0.1', '::ffff:7f00:1']) {
      expect(inAnyCidr(parseIp(a)!, loop), a).toBe(true);
      expect(proxyaddr.compile('loopback')(a, 0), a).toBe(true);
    }
  });
});

describe('parseCidr texts', () => {
  const hex = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
  const addressText = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.tuple(hex, hex).map(([a, b]) => `::ffff:${a}:${b}`),
    fc.ipV4().map((v4) => `::ffff:${v4}`),
  );

  it('every suggestion of an error is itself a valid CIDR of the masked network', () => {
    fc.assert(
      fc.property(addressText, fc.integer({ min: 0, max: 128 }), (addr, prefix) => {
        const text = `${addr}/${prefix}`;
        const result = cidrOf(text);
        if (typeof result !== 'string') return;
        const suggestion = /did you mean (\S+)\?/.exec(result)?.[1];
        if (suggestion === undefined) return;
        const parsed = cidrOf(suggestion);
        expect(parsed, `${text} → ${suggestion}`).toMatchObject({ text: suggestion });
        // The same network as the input names, host bits cleared.
        const bits = addr.includes(':') ? prefix : prefix + 96;
        expect(typeof parsed !== 'string' && formatIp(parsed.network)).toBe(
          formatIp(maskIp(parseIp(addr)!, bits)),
        );
        expect(typeof parsed !== 'string' && parsed.bits).toBe(bits);
        // The ConfigError of a trust list carries the same, valid, suggestion.
        expect(() => parseTrustList('trustedProxies', [text])).toThrow(`did you mean ${suggestion}?`);
      }),
      { numRuns: 3000 },
    );
  });

  it('is a Result: the network, or the reason', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ ok: true, value: { text: '10.0.0.0/8', bits: 104 } });
    expect(parseCidr('10.0.0.1/8')).toMatchObject({
      ok: false,
      error: expect.stringContaining('10.0.0.0/8'),
    });
  });

  it('the hint for ::ffff:a00:2/122 is 10.0.0.0/26, not the invalid 10.0.0.0/122', () => {
    expect(cidrOf('::ffff:a00:2/122')).toContain('did you mean 10.0.0.0/26?');
    expect(cidrOf('::ffff:a00:0/122')).toMatchObject({ text: '10.0.0.0/26', bits: 122 });
  });

  it('every canonical text parses back to itself', () => {
    fc.assert(
      fc.property(addressText, fc.integer({ min: 1, max: 128 }), (addr, prefix) => {
        const bits = addr.includes(':') ? prefix : Math.min(prefix, 32) + 96;
        const network = maskIp(parseIp(addr)!, bits);
        const text = `${addr.includes(':') ? formatIp6(network) : formatIp(network)}/${addr.includes(':') ? prefix : Math.min(prefix, 32)}`;
        const parsed = cidrOf(text);
        if (typeof parsed === 'string') throw new Error(`${text}: ${parsed}`);
        expect(cidrOf(parsed.text)).toMatchObject({ text: parsed.text, bits: parsed.bits });
      }),
      { numRuns: 2000 },
    );
  });
});

/** Full IPv6 spelling, even of an IPv4-mapped address (what a user may write in a trust list). */
function formatIp6(words: Uint16Array): string {
  return Array.from(words, (w) => w.toString(16)).join(':');
}
