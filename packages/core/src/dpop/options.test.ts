import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { DEFAULT_DPOP_ALGORITHMS } from './options.js';
import { createDpopVerifier } from './verifier.js';

const API = 'https://api.test';

function optionOf(options: unknown): string | undefined {
  try {
    createDpopVerifier(options as never);
  } catch (e) {
    if (isConfigError(e)) return e.option;
    throw e;
  }
  return undefined;
}

describe('createDpopVerifier options', () => {
  it('needs the external URL from configuration', () => {
    expect(optionOf(undefined)).toBe('dpop');
    expect(optionOf({})).toBe('dpop.externalUrl');
  });

  it('refuses HMAC, none and unknown algorithms', () => {
    expect(optionOf({ externalUrl: API, algorithms: ['HS256'] })).toBe('dpop.algorithms[0]');
    expect(optionOf({ externalUrl: API, algorithms: ['ES256', 'none'] })).toBe('dpop.algorithms[1]');
    expect(optionOf({ externalUrl: API, algorithms: ['ES257'] })).toBe('dpop.algorithms[0]');
    expect(optionOf({ externalUrl: API, algorithms: [] })).toBe('dpop.algorithms');
  });

  it('refuses unknown keys (naming a near miss), numbers out of range, bad modes and stores', () => {
    expect(optionOf({ externalUrl: API, maxProofAge: 60 })).toBe('dpop.maxProofAge');
    expect(optionOf({ externalUrl: API, maxProofAgeSeconds: 0 })).toBe('dpop.maxProofAgeSeconds');
    expect(optionOf({ externalUrl: API, maxProofAgeSeconds: Number.NaN })).toBe('dpop.maxProofAgeSeconds');
    expect(optionOf({ externalUrl: API, clockToleranceSeconds: 3600 })).toBe('dpop.clockToleranceSeconds');
    expect(optionOf({ externalUrl: API, maxProofLength: 100 })).toBe('dpop.maxProofLength');
    expect(optionOf({ externalUrl: API, mode: 'off' })).toBe('dpop.mode');
    expect(optionOf({ externalUrl: API, replay: {} })).toBe('dpop.replay');
    expect(optionOf({ externalUrl: API, onEvent: 'log' })).toBe('dpop.onEvent');
    expect(optionOf({ externalUrl: API, nonce: { secret: 'short' } })).toBe('dpop.nonce.secret');
  });

  it('defaults to the asymmetric algorithms in common use, in allowed mode', () => {
    const v = createDpopVerifier({ externalUrl: API });
    expect(v.algorithms).toEqual(DEFAULT_DPOP_ALGORITHMS);
    expect(v.mode).toBe('allowed');
    expect(Object.fromEntries(v.errors('required').proofMissing.headers)['www-authenticate']).toBe(
      `DPoP error="invalid_dpop_proof", algs="${DEFAULT_DPOP_ALGORITHMS.join(' ')}"`,
    );
  });
});
