import { describe, expect, it } from 'vitest';
import { defaultRateLimitContext } from './context.js';

describe('defaultRateLimitContext', () => {
  it('keeps verified claims and a route pattern', () => {
    expect(defaultRateLimitContext({ sub: 'alice' }, '/orders/:id')).toEqual({
      claims: { sub: 'alice' },
      route: '/orders/:id',
    });
  });

  it('is no route for anything but a non-empty string, and no claims for a non-object', () => {
    for (const route of [undefined, null, '', 42, ['/a'], { path: '/a' }]) {
      expect(defaultRateLimitContext(undefined, route).route).toBeUndefined();
    }
    for (const claims of [undefined, null, 'alice', 7]) {
      expect(defaultRateLimitContext(claims, '/a').claims).toBeUndefined();
    }
  });
});
