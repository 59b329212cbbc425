import { ConfigError } from '../errors.js';
import { checkAlgorithms, type JwtAlgorithm } from './algorithms.js';
import type { KeySource } from './jwks.js';
import { buildKeySource, type KeySourceContext } from './keys.js';
import type { JwtVerifierOptions } from './options.js';

/** One accepted issuer as the verifier uses it: its algorithms and its own key source. */
export interface IssuerEntry {
  readonly algorithms: ReadonlySet<string>;
  readonly source: KeySource;
}
/** The issuers of a verifier, resolved and validated at construction. */
export interface ResolvedIssuers {
  readonly issuers: ReadonlyMap<string, IssuerEntry>;
  /** Set only with `dangerouslyAcceptAnyIssuer`: the one key source for any `iss`. */
  readonly anyIssuer: IssuerEntry | undefined;
  /** Union of every issuer's algorithms: what the header check lets through to the issuer check. */
  readonly all: ReadonlySet<string>;
}

/**
 * Build the issuer table: the top-level `issuer` with the top-level key source, or one entry per `issuers[i]`
 * with its own key source and algorithms. Throws ConfigError on any inconsistency.
 *
 * @example
 * const { issuers } = resolveIssuers(options, ['RS256'], ctx);
 */
export function resolveIssuers(
  options: JwtVerifierOptions,
  algorithms: readonly JwtAlgorithm[],
  ctx: KeySourceContext,
): ResolvedIssuers {
  const issuers = new Map<string, IssuerEntry>();
  let anyIssuer: IssuerEntry | undefined;
  const all = new Set<string>(algorithms);
  if (options.issuers !== undefined) {
    if (
      options.issuer !== undefined ||
      options.dangerouslyAcceptAnyIssuer !== undefined ||
      ['keys', 'jwksUri', 'discovery', 'secret', 'secretKid'].some(
        (k) => k in options && (options as unknown as Record<string, unknown>)[k] !== undefined,
      )
    ) {
      throw new ConfigError(
        'jwt.issuers',
        'cannot be combined with issuer, dangerouslyAcceptAnyIssuer or a top-level key source',
        'give each issuer its own key source inside issuers',
      );
    }
    if (!Array.isArray(options.issuers) || options.issuers.length === 0) {
      throw new ConfigError(
        'jwt.issuers',
        'is empty',
        'list at least one { issuer, jwksUri | keys | discovery | secret }',
      );
    }
    for (const [i, entry] of options.issuers.entries()) {
      const opt = `jwt.issuers[${i}]`;
      const iss = listOption(`${opt}.issuer`, entry.issuer);
      if (iss === undefined || iss.length !== 1)
        throw new ConfigError(`${opt}.issuer`, 'is required', 'set the exact iss value');
      if (issuers.has(iss[0]!))
        throw new ConfigError(`${opt}.issuer`, 'is listed twice', 'give each issuer one entry');
      const algs =
        entry.algorithms === undefined ? algorithms : checkAlgorithms(`${opt}.algorithms`, entry.algorithms);
      for (const a of algs) all.add(a);
      issuers.set(iss[0]!, {
        algorithms: new Set(algs),
        source: buildKeySource(opt, entry, algs, iss[0], ctx),
      });
    }
  } else {
    const issuer = listOption('jwt.issuer', options.issuer);
    if (issuer === undefined && options.dangerouslyAcceptAnyIssuer !== true) {
      throw new ConfigError(
        'jwt.issuer',
        'is required',
        'set the issuer you trust (or dangerouslyAcceptAnyIssuer: true if you really mean it)',
      );
    }
    if (options.discovery !== undefined && issuer?.length !== 1) {
      throw new ConfigError(
        'jwt.discovery',
        'needs exactly one issuer',
        'use issuers: [...] with one entry per issuer',
      );
    }
    const entry = {
      algorithms: new Set<string>(algorithms),
      source: buildKeySource('jwt', options, algorithms, issuer?.[0], ctx),
    };
    if (issuer === undefined) anyIssuer = entry;
    else for (const iss of issuer) issuers.set(iss, entry);
  }
  return { issuers, anyIssuer, all };
}

/**
 * A non-empty string or list of non-empty strings, as a list.
 *
 * @example
 * listOption('jwt.audience', 'https://api') // ['https://api']
 */
export function listOption(
  option: string,
  value: string | readonly string[] | undefined,
): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw new ConfigError(
      option,
      'must be a non-empty string or list of non-empty strings',
      'set the exact value(s) to accept',
    );
  }
  return list;
}

/**
 * A non-empty string.
 *
 * @example
 * nonEmpty('jwt.typ', 'at+jwt') // 'at+jwt'
 */
export function nonEmpty(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new ConfigError(option, 'must be a non-empty string', 'set the exact value');
  return value;
}
