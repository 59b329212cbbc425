import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { type FetchLike, isSafeKeyUrl, requestJson } from '../jwt/fetch-json.js';
import { BoundedMap } from '../stores/bounded-map.js';
import type { MtlsDecision } from './authorize.js';
import type { MtlsPeer } from './peer.js';

/** The request an asynchronous authorizer decides on, besides the peer. */
export interface MtlsRequestFacts {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
}

/**
 * An asynchronous authorizer, e.g. a call to a policy engine (`createOpaAuthorizer`). Resolve to a decision
 * (or a boolean); reject when no decision could be had. The verifier gives it `mtls.decisionTimeoutMs` and
 * fails closed: a rejection or a late answer is 503 `MTLS_AUTHORIZER_UNAVAILABLE`, never an allow.
 */
export type MtlsDecisionPoint = (
  peer: MtlsPeer,
  request: MtlsRequestFacts,
) => Promise<MtlsDecision | boolean>;

/** Options of {@link createOpaAuthorizer}. */
export interface OpaAuthorizerOptions {
  /** OPA's base URL, e.g. `http://127.0.0.1:8181`. https, or http to a loopback sidecar. */
  url: string;
  /** The decision's package path under `/v1/data/`, e.g. `bulwark/mtls/allow`. */
  path: string;
  /** Abort the call to OPA after this many ms (a late answer denies). Default 500. */
  timeoutMs?: number;
  /** Keep a definite allow or deny this long, per SPIFFE ID, method and path. Default 5000; 0 turns caching off. */
  cacheTtlMs?: number;
  /** At most this many cached decisions; the least recently used go first. Default 10000. */
  cacheMaxEntries?: number;
  /** Refuse OPA answers larger than this many bytes. Default 16384. */
  maxBytes?: number;
  /** The fetch implementation. Default `globalThis.fetch`. */
  fetch?: FetchLike;
}

const OPA_KEYS = optionKeys<OpaAuthorizerOptions>()(
  'url',
  'path',
  'timeoutMs',
  'cacheTtlMs',
  'cacheMaxEntries',
  'maxBytes',
  'fetch',
);

/** A package path segment: letters, digits and underscores (what a Rego reference can name without quoting). */
function isSegment(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!ok) return false;
  }
  return true;
}

function checkUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || !isSafeKeyUrl(url) || url.search !== '' || url.hash !== '') {
    throw new ConfigError(
      'mtls.opa.url',
      `'${String(value)}' is not an https URL or an http URL to a loopback address`,
      "use OPA's https address, or a sidecar at http://127.0.0.1:8181",
    );
  }
  return url;
}

function checkPath(value: unknown): string {
  const path = typeof value === 'string' && value.startsWith('/') ? value.slice(1) : value;
  if (typeof path !== 'string' || !path.split('/').every(isSegment)) {
    throw new ConfigError(
      'mtls.opa.path',
      `'${String(value)}' is not a package path`,
      "name the rule under /v1/data/, e.g. 'bulwark/mtls/allow'",
    );
  }
  return path;
}

/** What OPA is told about the call. */
function inputOf(peer: MtlsPeer, request: MtlsRequestFacts): Record<string, unknown> {
  return {
    peer: {
      spiffeId: peer.spiffeId?.id ?? null,
      trustDomain: peer.spiffeId?.trustDomain ?? null,
      workloadPath: peer.spiffeId?.path ?? null,
      dnsNames: peer.dnsNames,
      subject: peer.subject ?? null,
      via: peer.via,
    },
    request: { method: request.method, path: request.path },
  };
}

/**
 * Read OPA's answer: `result: true` or `result: { allow: true }` allows; `false` or `{ allow: false }`
 * denies; anything else (no `result`: the rule is undefined for this input or the path names nothing)
 * denies too, with the shape in the reason. Only the first two kinds are definite and cached.
 */
function readResult(body: Record<string, unknown>): { decision: MtlsDecision; definite: boolean } {
  const result = body.result;
  const allow =
    typeof result === 'object' && result !== null && !Array.isArray(result)
      ? (result as Record<string, unknown>).allow
      : result;
  if (allow === true) return { decision: { ok: true, value: true }, definite: true };
  if (allow === false) return { decision: { ok: false, error: 'OPA denied' }, definite: true };
  const shape = result === undefined ? 'no result (undefined decision)' : `a ${typeof result} result`;
  return {
    decision: { ok: false, error: `OPA answered ${shape}, neither true/false nor { allow: bool }` },
    definite: false,
  };
}

/**
 * An mTLS decision point backed by Open Policy Agent's Data API: `POST <url>/v1/data/<path>` with
 * `{ "input": { "peer": {...}, "request": { "method", "path" } } }`. `result: true` or `{ allow: true }`
 * allows; any other result denies (403 `MTLS_PEER_DENIED`); no answer in `timeoutMs`, a non-200 status,
 * a redirect, a body over `maxBytes` or not JSON fails closed (503 `MTLS_AUTHORIZER_UNAVAILABLE`).
 * Definite decisions are cached per SPIFFE ID, method and path for `cacheTtlMs`, in a bounded cache.
 *
 * @example
 * requireMtls({ decisionPoint: createOpaAuthorizer({ url: 'http://127.0.0.1:8181', path: 'bulwark/mtls/allow' }) })
 */
export function createOpaAuthorizer(options: OpaAuthorizerOptions): MtlsDecisionPoint {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('mtls.opa', 'options are required', "pass { url, path } of your OPA's decision");
  }
  checkOptions('mtls.opa', options, OPA_KEYS);
  const base = checkUrl(options.url);
  const prefix = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
  const endpoint = new URL(`${prefix}/v1/data/${checkPath(options.path)}`, base);
  const timeoutMs = numberOption('mtls.opa.timeoutMs', options.timeoutMs, {
    min: 10,
    max: 30_000,
    fallback: 500,
  });
  const cacheTtlMs = numberOption('mtls.opa.cacheTtlMs', options.cacheTtlMs, {
    min: 0,
    max: 3_600_000,
    fallback: 5_000,
  });
  const cacheMaxEntries = numberOption('mtls.opa.cacheMaxEntries', options.cacheMaxEntries, {
    min: 1,
    max: 1_000_000,
    fallback: 10_000,
  });
  const maxBytes = numberOption('mtls.opa.maxBytes', options.maxBytes, {
    min: 256,
    max: 1_048_576,
    fallback: 16_384,
  });
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new ConfigError('mtls.opa.fetch', 'must be a fetch function', 'omit it to use the global fetch');
  }
  const fetchOptions = {
    timeoutMs,
    maxBytes,
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
  };
  const cache = cacheTtlMs > 0 ? new BoundedMap<string, MtlsDecision>(cacheMaxEntries) : undefined;

  return async (peer, request) => {
    // Only a SPIFFE ID names a workload uniquely enough to share a decision between connections.
    const key =
      cache !== undefined && peer.spiffeId !== undefined
        ? `${peer.spiffeId.id}\n${request.method}\n${request.path}`
        : undefined;
    const hit = key !== undefined ? cache!.get(key) : undefined;
    if (hit !== undefined) return hit;
    const { status, body } = await requestJson(
      endpoint,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: inputOf(peer, request) }),
      },
      fetchOptions,
    );
    if (status !== 200) throw new Error(`OPA answered HTTP ${status}`);
    const { decision, definite } = readResult(body);
    if (key !== undefined && definite) cache!.set(key, decision, Date.now() + cacheTtlMs);
    return decision;
  };
}
