import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIp, inPrefix, isV4, maskIp, parseIp } from './ip.js';

const fmt = (text: string): string | undefined => {
  const w = parseIp(text);
  return w === undefined ? undefined : formatIp(w);
};

describe('parseIp / formatIp', () => {
  it('parses IPv4 strictly', () => {
    expect(fmt('1.2.3.4')).toBe('1.2.3.4');
    expect(fmt('0.0.0.0')).toBe('0.0.0.0');
    expect(fmt('255.255.255.255')).toBe('255.255.255.255');
    for (const junk of [
      '999.1.1.1',
      '256.0.0.1',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.04',
      '1..2.3',
      '.1.2.3',
      '1.2.3.',
      '1.2.3.4 ',
      ' 1.2.3.4',
      '1.2.3.4\t',
      '1.2 .3.4',
      '0x1.2.3.4',
      '1.2.3.4:80',
      'unknown',
      'example.com',
      '',
      '١.٢.٣.٤',
    ]) {
      expect(parseIp(junk), junk).toBeUndefined();
    }
  });

  it('parses IPv6 and writes the RFC 5952 canonical form', () => {
    expect(fmt('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(fmt('2001:db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(fmt('::')).toBe('::');
    expect(fmt('::1')).toBe('::1');
    expect(fmt('1::')).toBe('1::');
    expect(fmt('2001:db8::')).toBe('2001:db8::');
    expect(fmt('2001:0:0:1:0:0:0:1')).toBe('2001:0:0:1::1');
    expect(fmt('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(fmt('1:2:3:4:5:6:7::')).toBe('1:2:3:4:5:6:7:0');
    expect(fmt('::2:3:4:5:6:7:8')).toBe('0:2:3:4:5:6:7:8');
    expect(fmt('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
    for (const junk of [
      ':',
      ':::',
      '1:::2',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1::2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7',
      '12345::1',
      '::g',
      ':1::',
      '1:',
      '::1%eth0',
      '[::1]',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
      '::1.2.3.4:5',
    ]) {
      expect(parseIp(junk), junk).toBeUndefined();
    }
  });

  it('treats IPv4-mapped IPv6 as IPv4, decided by bits', () => {
    expect(fmt('::ffff:1.2.3.4')).toBe('1.2.3.4');
    expect(fmt('::ffff:102:304')).toBe('1.2.3.4');
    expect(fmt('0:0:0:0:0:FFFF:0102:0304')).toBe('1.2.3.4');
    expect(isV4(parseIp('::ffff:102:304')!)).toBe(true);
    expect(isV4(parseIp('::1.2.3.4')!)).toBe(false);
    expect(isV4(parseIp('::fffe:102:304')!)).toBe(false);
  });

  it('masks prefixes and tests membership', () => {
    expect(formatIp(maskIp(parseIp('2001:db8:1:2:3:4:5:6')!, 64))).toBe('2001:db8:1:2::');
    expect(formatIp(maskIp(parseIp('2001:db8:1:2ff:3:4:5:6')!, 56))).toBe('2001:db8:1:200::');
    expect(inPrefix(parseIp('10.1.2.3')!, parseIp('10.0.0.0')!, 104)).toBe(true);
    expect(inPrefix(parseIp('11.1.2.3')!, parseIp('10.0.0.0')!, 104)).toBe(false);
    expect(inPrefix(parseIp('172.31.255.255')!, parseIp('172.16.0.0')!, 108)).toBe(true);
    expect(inPrefix(parseIp('172.32.0.0')!, parseIp('172.16.0.0')!, 108)).toBe(false);
  });
});

const v6Words = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });

describe('parseIp properties', () => {
  it('agrees with node:net on which strings are addresses', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.%[] \t'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 46 }), (s) => {
        // node accepts zone ids; we refuse them in forwarded hops on purpose.
        if (s.includes('%')) return parseIp(s) === undefined;
        expect(parseIp(s) !== undefined).toBe(isIP(s) !== 0);
      }),
      { numRuns: 20_000 },
    );
  });

  it('round-trips every IPv4 address and its mapped spellings', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(fmt(ip)).toBe(ip);
        expect(fmt(`::ffff:${ip}`)).toBe(ip);
        const w = parseIp(ip)!;
        expect(fmt(`::ffff:${w[6]!.toString(16)}:${w[7]!.toString(16)}`)).toBe(ip);
      }),
    );
  });

  it('canonical IPv6 text is stable, parses to the same words, and node agrees it is valid', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.ipV6(),
          v6Words.map((w) => w.map((x) => x.toString(16)).join(':')),
        ),
        (ip) => {
          const words = parseIp(ip);
          expect(words).toBeDefined();
          const text = formatIp(words!);
          expect(isIP(text)).not.toBe(0);
          expect(Array.from(parseIp(text)!)).toEqual(Array.from(words!));
          expect(fmt(text)).toBe(text);
          expect(text).toBe(text.toLowerCase());
        },
      ),
    );
  });

  it('never accepts text with whitespace, commas or letters outside hex', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 50 }), (s) => {
        if (/[^0-9a-fA-F:.]/.test(s)) expect(parseIp(s)).toBeUndefined();
      }),
    );
  });
});
