import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import type { JwksOptions } from './jwks.js';
import type { JwtKeyOptions } from './keys.js';
import type { JwtCacheOptions, JwtIssuerOptions, JwtVerifierOptions } from './options.js';

const KEY_SOURCE = optionKeys<JwtKeyOptions>()('keys', 'jwksUri', 'discovery', 'secret', 'secretKid');
const VERIFIER_KEYS = [
  ...KEY_SOURCE,
  ...optionKeys<Omit<JwtVerifierOptions, keyof JwtKeyOptions>>()(
    'algorithms',
    'issuer',
    'issuers',
    'audience',
    'dangerouslyAcceptAnyIssuer',
    'dangerouslyAcceptAnyAudience',
    'dangerouslyAllowHttpIssuer',
    'typ',
    'clockToleranceSeconds',
    'maxTokenAgeSeconds',
    'maxLifetimeSeconds',
    'requiredClaims',
    'maxTokenLength',
    'maxHeaderLength',
    'jwks',
    'revocation',
    'dpop',
    'cache',
    'onEvent',
    'now',
  ),
];
const ISSUER_KEYS = [
  ...KEY_SOURCE,
  ...optionKeys<Omit<JwtIssuerOptions, keyof JwtKeyOptions>>()('issuer', 'algorithms'),
];
const JWKS_KEYS = optionKeys<JwksOptions>()(
  'cacheMaxAgeMs',
  'cooldownMs',
  'maxStaleMs',
  'maxKeys',
  'timeoutMs',
  'maxBytes',
  'fetch',
);
const CACHE_KEYS = optionKeys<JwtCacheOptions>()('maxEntries', 'maxAgeMs');

const YEAR_SECONDS = 31_536_000;
const DAY_MS = 86_400_000;

/** The validated numbers of a verifier. */
export interface CheckedJwtNumbers {
  readonly clockToleranceSeconds: number;
  readonly maxTokenAgeSeconds: number | undefined;
  readonly maxLifetimeSeconds: number;
  readonly maxTokenLength: number;
  readonly maxHeaderLength: number;
  readonly cache: { readonly maxEntries: number; readonly maxAgeMs: number } | undefined;
}

/**
 * Refuse unknown option keys at every level of the verifier's options, and every numeric option that is
 * not a finite number in its range (`cooldownMs: NaN` would switch the JWKS cooldown off).
 *
 * @example
 * const { jwks, numbers } = checkJwtOptions(options);
 */
export function checkJwtOptions(options: JwtVerifierOptions): {
  jwks: Required<Omit<JwksOptions, 'fetch'>> & Pick<JwksOptions, 'fetch'>;
  numbers: CheckedJwtNumbers;
} {
  checkOptions('jwt', options, VERIFIER_KEYS);
  if (Array.isArray(options.issuers)) {
    for (const [i, entry] of options.issuers.entries()) checkOptions(`jwt.issuers[${i}]`, entry, ISSUER_KEYS);
  }
  const jwks =
    options.jwks === undefined ? {} : (checkOptions('jwt.jwks', options.jwks, JWKS_KEYS) as JwksOptions);
  const n = (key: keyof JwksOptions & string, min: number, max: number, fallback: number) =>
    numberOption(`jwt.jwks.${key}`, jwks[key], { min, max, fallback });
  const checkedJwks = {
    // Each bound keeps a property the docs promise: the cooldown caps IdP fetches under a random-kid
    // flood (at most one a second), the size and key caps bound what one response can cost.
    timeoutMs: n('timeoutMs', 100, 60_000, 5_000),
    maxBytes: n('maxBytes', 1_024, 1_048_576, 65_536),
    cacheMaxAgeMs: n('cacheMaxAgeMs', 0, 7 * DAY_MS, 3_600_000),
    cooldownMs: n('cooldownMs', 1_000, 3_600_000, 30_000),
    maxStaleMs: n('maxStaleMs', 0, 30 * DAY_MS, DAY_MS),
    maxKeys: n('maxKeys', 1, 1_000, 64),
    ...(jwks.fetch !== undefined ? { fetch: jwks.fetch } : {}),
  };
  const cacheOptions =
    options.cache === undefined || options.cache === true
      ? options.cache
      : (checkOptions('jwt.cache', options.cache, CACHE_KEYS) as JwtCacheOptions);
  const maxTokenLength = numberOption('jwt.maxTokenLength', options.maxTokenLength, {
    min: 256,
    max: 65_536,
    fallback: 8_192,
  });
  const seconds = (key: 'clockToleranceSeconds' | 'maxTokenAgeSeconds' | 'maxLifetimeSeconds', max: number) =>
    numberOption(`jwt.${key}`, options[key], { min: 0, max, integer: false });
  return {
    jwks: checkedJwks,
    numbers: {
      clockToleranceSeconds: seconds('clockToleranceSeconds', 300) ?? 5,
      maxTokenAgeSeconds: seconds('maxTokenAgeSeconds', YEAR_SECONDS),
      maxLifetimeSeconds: seconds('maxLifetimeSeconds', YEAR_SECONDS) ?? 3_600,
      maxTokenLength,
      maxHeaderLength: numberOption('jwt.maxHeaderLength', options.maxHeaderLength, {
        min: 64,
        max: maxTokenLength,
        fallback: Math.min(1_024, maxTokenLength),
      }),
      cache:
        cacheOptions === undefined
          ? undefined
          : {
              maxEntries: numberOption(
                'jwt.cache.maxEntries',
                cacheOptions === true ? undefined : cacheOptions.maxEntries,
                {
                  min: 1,
                  max: 1_000_000,
                  fallback: 10_000,
                },
              ),
              maxAgeMs: numberOption(
                'jwt.cache.maxAgeMs',
                cacheOptions === true ? undefined : cacheOptions.maxAgeMs,
                {
                  min: 1_000,
                  max: DAY_MS,
                  fallback: 300_000,
                },
              ),
            },
    },
  };
}
