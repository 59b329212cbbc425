import { checkOptions, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { fail, ok, type Result } from '../verdict.js';
import type { MtlsPeer } from './peer.js';
import { parseSpiffeId, parseTrustDomain, spiffePathProblem } from './spiffe.js';

/**
 * An authorizer's answer: `{ ok: true, value: true }`, or a refusal whose `error` names why, for the
 * `mtls.rejected` event (never sent to the client).
 */
export type MtlsDecision = Result<true, string>;

/**
 * Decides whether an authenticated peer may call a route. Your own function may return a boolean;
 * `false` is reported as "refused by a custom authorizer".
 */
export type MtlsAuthorizer = (peer: MtlsPeer) => MtlsDecision | boolean;

/**
 * A route's allowlist as data: the peer is allowed when it matches ANY entry.
 * Every ID and trust domain is validated when the policy is built.
 */
export interface MtlsPolicyObject {
  /** Exact SPIFFE IDs. */
  ids?: readonly string[];
  /** Whole trust domains (`corp.example.com` or `spiffe://corp.example.com`). */
  trustDomains?: readonly string[];
  /** Path prefixes inside a trust domain, matched segment by segment. */
  pathPrefixes?: readonly { readonly trustDomain: string; readonly prefix: string }[];
  /** Exact DNS SANs (needs `acceptDnsNames`). Compared case-insensitively. */
  dnsNames?: readonly string[];
  /** Exact subject DNs in RFC 4514 form (needs `acceptSubject`). */
  subjects?: readonly string[];
}

const POLICY_KEYS = optionKeys<MtlsPolicyObject>()(
  'ids',
  'trustDomains',
  'pathPrefixes',
  'dnsNames',
  'subjects',
);
const PATH_PREFIX_KEYS = ['trustDomain', 'prefix'];

/** A route policy: an authorizer function or an allowlist object. */
export type MtlsPolicy = MtlsAuthorizer | MtlsPolicyObject;

const ALLOWED: MtlsDecision = Object.freeze(ok(true as const));

function refuse(reason: string): MtlsDecision {
  return fail(reason);
}

function describe(peer: MtlsPeer): string {
  if (peer.spiffeId !== undefined) return peer.spiffeId.id;
  if (peer.dnsNames.length > 0) return `DNS ${peer.dnsNames.join(', ')}`;
  return peer.subject !== undefined ? `subject ${peer.subject}` : 'the peer';
}

function checkId(option: string, id: string): string {
  const r = parseSpiffeId(id);
  if (!r.ok)
    throw new ConfigError(
      option,
      `'${String(id)}' is not a valid SPIFFE ID: ${r.error}`,
      'write the exact ID, e.g. spiffe://corp.example.com/ns/billing/sa/api',
    );
  if (r.value.path === '')
    throw new ConfigError(
      option,
      `'${id}' is a trust domain, not a workload ID`,
      'use authorizeMemberOf for a whole trust domain',
    );
  return r.value.id;
}

function checkTrustDomain(option: string, td: string): string {
  const r = parseTrustDomain(td);
  if (!r.ok)
    throw new ConfigError(
      option,
      `'${String(td)}' is not a valid trust domain: ${r.error}`,
      'write it as corp.example.com',
    );
  return r.value;
}

/**
 * Normalise a decision; a custom authorizer that throws refuses (fail closed) instead of breaking the request.
 *
 * @example
 * decide(authorizeId('spiffe://corp.example.com/ns/a/sa/b'), peer) // { ok: true, value: true }
 */
export function decide(authorizer: MtlsAuthorizer, peer: MtlsPeer): MtlsDecision {
  let result: MtlsDecision | boolean;
  try {
    result = authorizer(peer);
  } catch (err) {
    return refuse(`the authorizer threw: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (result === true) return ALLOWED;
  if (result === false) return refuse(`${describe(peer)} refused by a custom authorizer`);
  if (typeof result === 'object' && result !== null && result.ok === true) return ALLOWED;
  if (typeof result === 'object' && result !== null && result.ok === false)
    return typeof result.error === 'string' ? result : refuse('the authorizer refused without a reason');
  return refuse('the authorizer returned neither a boolean nor a decision');
}

/**
 * Allow exactly one SPIFFE ID.
 *
 * @example
 * requireMtls({ authorize: authorizeId('spiffe://corp.example.com/ns/billing/sa/api') })
 */
export function authorizeId(id: string): MtlsAuthorizer {
  const expected = checkId('mtls.authorizeId', id);
  return (peer) =>
    peer.spiffeId?.id === expected ? ALLOWED : refuse(`${describe(peer)} is not ${expected}`);
}

/**
 * Allow any of a list of exact SPIFFE IDs.
 *
 * @example
 * authorizeOneOf(['spiffe://corp.example.com/ns/a/sa/x', 'spiffe://corp.example.com/ns/b/sa/y'])
 */
export function authorizeOneOf(ids: readonly string[]): MtlsAuthorizer {
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new ConfigError(
      'mtls.authorizeOneOf',
      'needs at least one SPIFFE ID',
      'list the callers allowed here',
    );
  }
  const set = new Set(ids.map((id, i) => checkId(`mtls.authorizeOneOf[${i}]`, id)));
  return (peer) =>
    peer.spiffeId !== undefined && set.has(peer.spiffeId.id)
      ? ALLOWED
      : refuse(`${describe(peer)} is not one of the ${set.size} allowed IDs`);
}

/**
 * Allow every workload of a trust domain. Compares the parsed trust domain exactly, so
 * `corp.example.com` never matches `corp.example.com.evil`.
 *
 * @example
 * authorizeMemberOf('corp.example.com')
 */
export function authorizeMemberOf(trustDomain: string): MtlsAuthorizer {
  const td = checkTrustDomain('mtls.authorizeMemberOf', trustDomain);
  return (peer) =>
    peer.spiffeId?.trustDomain === td ? ALLOWED : refuse(`${describe(peer)} is not in trust domain ${td}`);
}

/**
 * Allow the workloads under a path in a trust domain, segment-aware: prefix `/ns/billing` matches
 * `/ns/billing` and `/ns/billing/sa/api`, never `/ns/billing-evil/sa/api`.
 *
 * @example
 * authorizePathPrefix('corp.example.com', '/ns/billing')
 */
export function authorizePathPrefix(trustDomain: string, prefix: string): MtlsAuthorizer {
  const td = checkTrustDomain('mtls.authorizePathPrefix.trustDomain', trustDomain);
  const problem = spiffePathProblem(prefix);
  if (problem !== undefined) {
    throw new ConfigError(
      'mtls.authorizePathPrefix.prefix',
      `'${String(prefix)}': ${problem}`,
      "write it like '/ns/billing'",
    );
  }
  const withSlash = `${prefix}/`;
  return (peer) => {
    const id = peer.spiffeId;
    if (id === undefined || id.trustDomain !== td)
      return refuse(`${describe(peer)} is not in trust domain ${td}`);
    return id.path === prefix || id.path.startsWith(withSlash)
      ? ALLOWED
      : refuse(`${id.id} is not under ${prefix} in ${td}`);
  };
}

/**
 * Allow peers identified by one of these DNS SANs (non-SPIFFE PKIs; needs `acceptDnsNames`). Exact names,
 * case-insensitive; no wildcards.
 *
 * @example
 * authorizeDnsName(['billing.internal.example.com'])
 */
export function authorizeDnsName(names: readonly string[]): MtlsAuthorizer {
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.some((n) => typeof n !== 'string' || n === '' || n.includes('*'))
  ) {
    throw new ConfigError(
      'mtls.authorizeDnsName',
      'needs exact, non-empty DNS names (no wildcards)',
      "e.g. ['billing.internal.example.com']",
    );
  }
  const set = new Set(names.map((n) => n.toLowerCase()));
  return (peer) =>
    peer.dnsNames.some((n) => set.has(n.toLowerCase()))
      ? ALLOWED
      : refuse(`${describe(peer)} has no allowed DNS name`);
}

/**
 * Allow peers whose subject DN is exactly one of these (non-SPIFFE PKIs; needs `acceptSubject`).
 *
 * @example
 * authorizeSubject(['CN=billing,O=Corp'])
 */
export function authorizeSubject(subjects: readonly string[]): MtlsAuthorizer {
  if (
    !Array.isArray(subjects) ||
    subjects.length === 0 ||
    subjects.some((s) => typeof s !== 'string' || s === '')
  ) {
    throw new ConfigError(
      'mtls.authorizeSubject',
      'needs exact, non-empty subject DNs',
      "e.g. ['CN=billing,O=Corp']",
    );
  }
  const set = new Set(subjects);
  return (peer) =>
    peer.subject !== undefined && set.has(peer.subject)
      ? ALLOWED
      : refuse(`${describe(peer)} is not an allowed subject`);
}

/**
 * Allow when any authorizer allows.
 *
 * @example
 * authorizeAnyOf(authorizePathPrefix('corp.example.com', '/ns/billing'), authorizeId('spiffe://corp.example.com/ns/ops/sa/admin'))
 */
export function authorizeAnyOf(...authorizers: readonly MtlsAuthorizer[]): MtlsAuthorizer {
  if (authorizers.length === 0 || authorizers.some((a) => typeof a !== 'function')) {
    throw new ConfigError(
      'mtls.authorizeAnyOf',
      'needs at least one authorizer function',
      'pass the authorizers to combine',
    );
  }
  return (peer) => {
    const reasons: string[] = [];
    for (const a of authorizers) {
      const d = decide(a, peer);
      if (d.ok) return ALLOWED;
      reasons.push(d.error);
    }
    return refuse(reasons.join('; '));
  };
}

/**
 * Allow only when every authorizer allows.
 *
 * @example
 * authorizeAllOf(authorizeMemberOf('corp.example.com'), (peer) => !peer.spiffeId?.path.startsWith('/ns/sandbox'))
 */
export function authorizeAllOf(...authorizers: readonly MtlsAuthorizer[]): MtlsAuthorizer {
  if (authorizers.length === 0 || authorizers.some((a) => typeof a !== 'function')) {
    throw new ConfigError(
      'mtls.authorizeAllOf',
      'needs at least one authorizer function',
      'pass the authorizers to combine',
    );
  }
  return (peer) => {
    for (const a of authorizers) {
      const d = decide(a, peer);
      if (!d.ok) return d;
    }
    return ALLOWED;
  };
}

/**
 * Turn a route policy (function or allowlist object) into one authorizer, validating it once.
 *
 * @example
 * const authorize = createMtlsAuthorizer({ trustDomains: ['corp.example.com'] });
 */
export function createMtlsAuthorizer(policy: MtlsPolicy, option = 'mtls.authorize'): MtlsAuthorizer {
  if (typeof policy === 'function') return policy;
  if (typeof policy !== 'object' || policy === null) {
    throw new ConfigError(
      option,
      'must be an authorizer function or a policy object',
      'e.g. authorizeMemberOf(...) or { ids: [...] }',
    );
  }
  checkOptions(option, policy, POLICY_KEYS);
  for (const [i, p] of (policy.pathPrefixes ?? []).entries()) {
    checkOptions(`${option}.pathPrefixes[${i}]`, p, PATH_PREFIX_KEYS);
  }
  const parts: MtlsAuthorizer[] = [];
  if (policy.ids !== undefined) parts.push(authorizeOneOf(policy.ids));
  for (const td of policy.trustDomains ?? []) parts.push(authorizeMemberOf(td));
  for (const p of policy.pathPrefixes ?? []) parts.push(authorizePathPrefix(p.trustDomain, p.prefix));
  if (policy.dnsNames !== undefined) parts.push(authorizeDnsName(policy.dnsNames));
  if (policy.subjects !== undefined) parts.push(authorizeSubject(policy.subjects));
  if (parts.length === 0) {
    throw new ConfigError(
      option,
      'the policy object lists nobody, so every peer would be refused',
      'list ids, trustDomains or pathPrefixes',
    );
  }
  return parts.length === 1 ? parts[0]! : authorizeAnyOf(...parts);
}
