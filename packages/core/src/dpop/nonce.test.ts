import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { createNonceIssuer } from './nonce.js';

const SECRET = 'dpop-nonce-secret-0123456789abcdef0123';
const OTHER = 'another-nonce-secret-0123456789abcdef01';

describe('createNonceIssuer', () => {
  it('is stateless: another instance with the secret accepts the nonce, one with another secret does not', async () => {
    let t = 1_000_000_000_000;
    const a = createNonceIssuer('dpop.nonce', { secret: SECRET }, () => t);
    const b = createNonceIssuer('dpop.nonce', { secret: SECRET }, () => t);
    const c = createNonceIssuer('dpop.nonce', { secret: OTHER }, () => t);
    const nonce = await a.current();
    expect(nonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(await b.check(nonce)).toBe('current');
    expect(await c.check(nonce)).toBe('invalid');
    t += 1000;
    expect(await b.current()).toBe(nonce);
  });

  it('rotates: the previous period is still accepted, older ones are not', async () => {
    let t = 1_000_000_000_000;
    const n = createNonceIssuer('dpop.nonce', { secret: SECRET, rotationSeconds: 60 }, () => t);
    const first = await n.current();
    t += 60_000;
    const second = await n.current();
    expect(second).not.toBe(first);
    expect(await n.check(first)).toBe('previous');
    expect(await n.check(second)).toBe('current');
    t += 60_000;
    expect(await n.check(first)).toBe('invalid');
    // A nonce minted by an instance whose clock is one period ahead.
    const ahead = createNonceIssuer('dpop.nonce', { secret: SECRET, rotationSeconds: 60 }, () => t + 60_000);
    expect(await n.check(await ahead.current())).toBe('current');
  });

  it('accepts nonces of every secret in the list while the first one mints', async () => {
    const t = 1_000_000_000_000;
    const old = createNonceIssuer('dpop.nonce', { secret: OTHER }, () => t);
    const rotated = createNonceIssuer('dpop.nonce', { secret: [SECRET, OTHER] }, () => t);
    expect(await rotated.check(await old.current())).toBe('current');
    expect(await rotated.current()).not.toBe(await old.current());
  });

  it('refuses forged, altered and malformed nonces', async () => {
    const t = 1_000_000_000_000;
    const n = createNonceIssuer('dpop.nonce', { secret: SECRET }, () => t);
    const good = await n.current();
    const [period, mac] = good.split('.') as [string, string];
    const flipped = `${period}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    for (const bad of [
      flipped,
      `${(Number.parseInt(period, 36) + 5).toString(36)}.${mac}`,
      '',
      'x',
      7,
      undefined,
    ])
      expect(await n.check(bad)).toBe('invalid');
  });

  it('checks its options', () => {
    for (const [options, path] of [
      [{ secret: 'short' }, 'dpop.nonce.secret'],
      [{ secret: SECRET, rotationSeconds: 1 }, 'dpop.nonce.rotationSeconds'],
      [{ secret: SECRET, rotation: 60 }, 'dpop.nonce.rotation'],
    ] as const) {
      try {
        createNonceIssuer('dpop.nonce', options as never, Date.now);
        expect.unreachable();
      } catch (e) {
        expect(isConfigError(e) && e.option).toBe(path);
      }
    }
  });
});
