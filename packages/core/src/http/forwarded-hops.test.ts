import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forwardedForHops,
  forwardedHeaderHops,
  lastForwardedForHops,
  lastForwardedHeaderHops,
  MAX_FORWARDED_ELEMENT,
} from './forwarded-hops.js';
import { formatIp, parseIp } from './ip.js';

const canonical = (ip: string) => formatIp(parseIp(ip)!);
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const hop = fc.oneof(
  fc.tuple(fc.ipV4(), port).map(([ip, p]) => ({ ip, v6: false, p })),
  fc.tuple(fc.ipV6(), port).map(([ip, p]) => ({ ip, v6: true, p })),
);

describe('forwarding header properties', () => {
  it('Forwarded: every well-formed for= node comes back as its address, in order', () => {
    fc.assert(
      fc.property(
        fc.array(hop, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(', ', ',', ' ,  '),
        fc.boolean(),
        (hops, sep, extraParams) => {
          const value = hops
            .map(({ ip, v6, p }) => {
              const node = v6 ? `[${ip}]${p ? `:${p}` : ''}` : `${ip}${p ? `:${p}` : ''}`;
              // IPv6 and ports need quoting (':' and '[' are not token characters); IPv4 alone may be bare.
              const forValue = v6 || p ? `"${node}"` : node;
              return extraParams ? `proto=https;For=${forValue};by=_proxy` : `for=${forValue}`;
            })
            .join(sep);
          const parsed = forwardedHeaderHops(value).map((h) => (h === undefined ? h : canonical(h)));
          expect(parsed).toEqual(hops.map((h) => canonical(h.ip)));
        },
      ),
    );
  });

  it('X-Forwarded-For with ports stripped: every element comes back, in order', () => {
    fc.assert(
      fc.property(fc.array(hop, { minLength: 1, maxLength: 8 }), (hops) => {
        const value = hops
          .map(({ ip, v6, p }) => (p === undefined ? ip : v6 ? `[${ip}]:${p}` : `${ip}:${p}`))
          .join(', ');
        expect(forwardedForHops(value, true).map((h) => canonical(h!))).toEqual(
          hops.map((h) => canonical(h.ip)),
        );
      }),
    );
  });

  it('reading from the right gives the same hops as splitting the whole header', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'1.2:3, [a]\t'.split('')), maxLength: 60 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 20 }),
        (value, strip, max) => {
          expect(lastForwardedForHops(value, strip, max)).toEqual(
            forwardedForHops(value, strip).reverse().slice(0, max),
          );
        },
      ),
    );
  });

  it('never throws and yields one hop per comma-separated element, junk or not', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.boolean(), (value, strip) => {
        const elements = value.split(',').length;
        expect(forwardedForHops(value, strip)).toHaveLength(elements);
        expect(forwardedHeaderHops(value)).toHaveLength(elements);
        for (const h of forwardedHeaderHops(value)) if (h !== undefined) expect(h).not.toMatch(/[\s,;"]/);
      }),
    );
  });
});

describe('Forwarded elements are bounded', () => {
  it('trims spaces and tabs around pairs, as before', () => {
    expect(forwardedHeaderHops(' \t for=192.0.2.1 \t; \tproto=https\t ,for="[2001:db8::1]:80"\t')).toEqual([
      '192.0.2.1',
      '2001:db8::1',
    ]);
  });

  it('an element longer than MAX_FORWARDED_ELEMENT is junk, whatever it holds', () => {
    const padded = (n: number) => `for=203.0.113.9;${' '.repeat(n)}`;
    const fits = padded(MAX_FORWARDED_ELEMENT - 'for=203.0.113.9;'.length);
    expect(fits).toHaveLength(MAX_FORWARDED_ELEMENT);
    expect(lastForwardedHeaderHops(fits, 1)).toEqual(['203.0.113.9']);
    expect(lastForwardedHeaderHops(`${fits} `, 1)).toEqual([undefined]);
    // The ReDoS shape of the review: a long run of spaces after a valid node, then a non-space.
    const attack = `for=203.0.113.9;${' '.repeat(16_384)}x`;
    expect(lastForwardedHeaderHops(`for=198.51.100.7, ${attack}`, 2)).toEqual([undefined, '198.51.100.7']);
    expect(forwardedHeaderHops(attack)).toEqual([undefined]);
  });
});
