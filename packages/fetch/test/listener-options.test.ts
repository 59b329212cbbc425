import { isConfigError } from '@bulwark/core';
import { describe, expect, it } from 'vitest';
import { toNodeListener } from '../src/node/index.js';

// The bridge's body cap is a number compared with every body size: NaN or Infinity would switch it off.
describe('toNodeListener options', () => {
  const handler = async () => new Response('ok');

  it.each([Number.NaN, -1, 0, Number.POSITIVE_INFINITY, 1.5])('refuses maxBodyBytes %s', (maxBodyBytes) => {
    try {
      toNodeListener(handler, { maxBodyBytes });
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
      expect((e as { option: string }).option).toBe('fetch.toNodeListener.maxBodyBytes');
    }
  });

  it('refuses an unknown key, naming the one meant', () => {
    expect(() => toNodeListener(handler, { maxbodybytes: 10 } as never)).toThrow(/did you mean maxBodyBytes/);
  });

  it('accepts the documented range', () => {
    expect(typeof toNodeListener(handler, { maxBodyBytes: 1 })).toBe('function');
    expect(typeof toNodeListener(handler)).toBe('function');
  });
});
