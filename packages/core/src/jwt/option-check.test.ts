import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER } from '../../test/jwt-fixtures.js';
import { isConfigError } from '../errors.js';
import { createJwtVerifier } from './verifier.js';

const base = {
  algorithms: ['RS256'] as const,
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUri: 'https://id.example.com/jwks',
};

function refused(options: object): { option: string; message: string } {
  try {
    createJwtVerifier({ ...base, ...options } as never);
  } catch (e) {
    expect(isConfigError(e)).toBe(true);
    return e as { option: string; message: string };
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}

describe('jwt options', () => {
  it.each([Number.NaN, -1, 0, Number.POSITIVE_INFINITY, 0.5, '30000'])(
    'refuses jwks.cooldownMs %s: it would let every random kid cost an IdP fetch',
    (cooldownMs) => {
      const e = refused({ jwks: { cooldownMs } });
      expect(e.option).toBe('jwt.jwks.cooldownMs');
      expect(e.message).toContain('between 1000 and 3600000');
    },
  );

  it.each([
    ['jwks', 'maxBytes'],
    ['jwks', 'timeoutMs'],
    ['jwks', 'maxKeys'],
    ['jwks', 'cacheMaxAgeMs'],
    ['jwks', 'maxStaleMs'],
    ['cache', 'maxEntries'],
    ['cache', 'maxAgeMs'],
  ])('refuses NaN, -1 and Infinity for %s.%s', (group, key) => {
    for (const v of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(refused({ [group]: { [key]: v } }).option).toBe(`jwt.${group}.${key}`);
    }
  });

  it('refuses NaN and Infinity for the top-level numbers, and header limits above the token limit', () => {
    for (const key of [
      'clockToleranceSeconds',
      'maxTokenAgeSeconds',
      'maxLifetimeSeconds',
      'maxTokenLength',
      'maxHeaderLength',
    ]) {
      for (const v of [Number.NaN, Number.POSITIVE_INFINITY, -1])
        expect(refused({ [key]: v }).option).toBe(`jwt.${key}`);
    }
    expect(refused({ maxTokenLength: 1024, maxHeaderLength: 2048 }).option).toBe('jwt.maxHeaderLength');
  });

  it('refuses unknown keys at every level, naming the spelling a near miss meant', () => {
    const top = refused({ clocktoleranceseconds: 30 });
    expect(top.option).toBe('jwt.clocktoleranceseconds');
    expect(top.message).toContain('did you mean clockToleranceSeconds?');
    // The 0.x names of the durations name their 1.0 spelling.
    for (const old of ['clockTolerance', 'maxTokenAge', 'maxLifetime']) {
      expect(refused({ [old]: 30 }).message).toContain(`was renamed to ${old}Seconds in 1.0`);
    }
    expect(refused({ jwks: { coolDownMs: 60_000 } }).message).toContain('did you mean cooldownMs?');
    expect(refused({ cache: { maxEntry: 5 } }).option).toBe('jwt.cache.maxEntry');
    const { jwksUri, issuer, ...noSource } = base;
    const perIssuer = refused({
      ...noSource,
      issuer: undefined,
      jwksUri: undefined,
      issuers: [{ issuer, jwksUri, audience: 'x' }],
    });
    expect(perIssuer.option).toBe('jwt.issuers[0].audience');
  });

  it('keeps accepting every documented option', () => {
    expect(() =>
      createJwtVerifier({
        ...base,
        clockToleranceSeconds: 2.5,
        maxTokenAgeSeconds: 600,
        maxLifetimeSeconds: 7200,
        maxTokenLength: 16_384,
        maxHeaderLength: 2_048,
        jwks: {
          cooldownMs: 1_000,
          cacheMaxAgeMs: 0,
          maxStaleMs: 0,
          maxKeys: 10,
          timeoutMs: 100,
          maxBytes: 1_024,
        },
        cache: { maxEntries: 1, maxAgeMs: 1_000 },
      }),
    ).not.toThrow();
  });
});
