import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError, type SecurityError } from '../errors.js';
import { EVENTS, Reporter } from '../observe/reporter.js';
import { observedCheck } from '../observe/telemetry.js';
import { emit, type OnEvent } from '../events.js';
import { createClientIpResolver } from '../http/client-ip.js';
import { type RequestLike, requestPath } from '../http/request.js';
import { RULE, type Rule } from '../rule.js';
import { type Allowed, allow, deny, NO_HEADERS, type Verdict } from '../verdict.js';
import {
  createMtlsAuthorizer,
  decide,
  type MtlsAuthorizer,
  type MtlsDecision,
  type MtlsPolicy,
} from './authorize.js';
import { MTLS_ERRORS } from './errors.js';
import { certificateFromXfcc, urlEncodedPemToDer } from './forwarded-certificate.js';
import type { MtlsDecisionPoint } from './opa.js';
import { identifyPeer, type MtlsPeer, type PeerIdentityOptions } from './peer.js';

/** Anything that says whether a socket peer is one of your proxies, e.g. a `createClientIpResolver(...)`. */
export interface TrustedPeerCheck {
  isTrustedPeer(address: string | undefined): boolean;
}

/** Where a TLS-terminating proxy puts the client certificate it verified. */
export interface ForwardedCertificateOptions {
  /**
   * Who may send it: the same trust list as the client-IP resolver (CIDRs, addresses, named sets such as
   * `loopback`), or the resolver itself (`createClientIpResolver({ trustedProxies })`), or any object with
   * `isTrustedPeer(address)`. Requests from other peers have the header ignored (and adapters strip it).
   */
  trustedProxies: readonly string[] | TrustedPeerCheck;
  /** `xfcc` (Envoy `X-Forwarded-Client-Cert`, the default) or `pem` (a header holding URL-encoded PEM). */
  format?: 'xfcc' | 'pem';
  /** Header name. Default `x-forwarded-client-cert`; required for `pem` (e.g. `x-client-cert`). */
  header?: string;
  /** Longer header values are refused. Default 16384 bytes. */
  maxHeaderBytes?: number;
}

/** Options of {@link createMtlsVerifier}. */
export interface MtlsVerifierOptions extends PeerIdentityOptions {
  /** Who may call: an authorizer (`authorizeMemberOf(...)`, combinators, your function) or an allowlist object. */
  authorize?: MtlsPolicy;
  /**
   * Accept any peer with a certificate from your CA. That is authentication without authorization: every
   * workload your CA ever signed could call this route. Named loudly on purpose.
   */
  dangerouslyAllowAnyPeer?: true;
  /** Read the certificate from a trusted proxy's header instead of our own TLS handshake. */
  forwardedCertificate?: ForwardedCertificateOptions;
  /**
   * An asynchronous authorizer (a policy engine such as `createOpaAuthorizer(...)`), asked after `authorize`
   * allowed (or instead of it). Fails closed: an error or no answer within `decisionTimeoutMs` is 503
   * `MTLS_AUTHORIZER_UNAVAILABLE`. Adapters call {@link MtlsVerifier.checkRequest} for it.
   */
  decisionPoint?: MtlsDecisionPoint;
  /** How long the decision point may take before the request is refused. Default 1000 ms. */
  decisionTimeoutMs?: number;
  /** Receives `mtls.rejected` (with the precise reason) and `mtls.forwarded_ignored`. */
  onEvent?: OnEvent;
}

/** A configured mTLS rule. */
export interface MtlsVerifier extends Rule<'mtls'> {
  /**
   * Identify and authorize the peer of a request. When a forwarded-certificate header is configured and
   * the peer is not a trusted proxy, the allowed verdict's `strip` names that header: the adapter removes
   * it so nothing downstream reads a certificate nobody vouched for.
   */
  check(req: RequestLike): Verdict<MtlsPeer>;
  /**
   * Like `check`, and then asks the `decisionPoint` when one is configured: synchronous (the same verdict
   * as `check`) without one, a promise with one. `check` alone refuses every request with 503 when a
   * decision point is configured, so an adapter that cannot wait fails closed.
   */
  checkRequest(req: RequestLike): Verdict<MtlsPeer> | Promise<Verdict<MtlsPeer>>;
}

const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const VERIFIER_KEYS = optionKeys<MtlsVerifierOptions>()(
  'authorize',
  'dangerouslyAllowAnyPeer',
  'forwardedCertificate',
  'decisionPoint',
  'decisionTimeoutMs',
  'onEvent',
  'acceptDnsNames',
  'acceptSubject',
);
const FORWARDED_KEYS = optionKeys<ForwardedCertificateOptions>()(
  'trustedProxies',
  'format',
  'header',
  'maxHeaderBytes',
);

interface ForwardedConfig {
  trustedProxies: TrustedPeerCheck;
  format: 'xfcc' | 'pem';
  header: string;
  maxHeaderBytes: number;
}

function trustCheck(value: unknown): TrustedPeerCheck {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      throw new ConfigError(
        'mtls.forwardedCertificate.trustedProxies',
        'is empty, so no forwarded certificate would ever be believed',
        "list the addresses of the proxies that terminate TLS, e.g. ['10.0.0.0/8']",
      );
    }
    return createClientIpResolver({ trustedProxies: value as readonly string[] });
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TrustedPeerCheck).isTrustedPeer === 'function'
  ) {
    return value as TrustedPeerCheck;
  }
  throw new ConfigError(
    'mtls.forwardedCertificate.trustedProxies',
    'must be a trust list, a client-IP resolver or an object with isTrustedPeer(address)',
    "list only your proxies, e.g. ['10.0.0.0/8']",
  );
}

function checkForwarded(options: ForwardedCertificateOptions): ForwardedConfig {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(
      'mtls.forwardedCertificate',
      'must be an object',
      'pass { trustedProxies, format, header }',
    );
  }
  checkOptions('mtls.forwardedCertificate', options, FORWARDED_KEYS);
  const trustedProxies = trustCheck(options.trustedProxies);
  const format = options.format ?? 'xfcc';
  if (format !== 'xfcc' && format !== 'pem') {
    throw new ConfigError(
      'mtls.forwardedCertificate.format',
      `'${String(format)}' is not supported`,
      "use 'xfcc' or 'pem'",
    );
  }
  if (format === 'pem' && options.header === undefined) {
    throw new ConfigError(
      'mtls.forwardedCertificate.header',
      'is required with format pem',
      'name the header your proxy writes, e.g. x-client-cert',
    );
  }
  const header = options.header ?? 'x-forwarded-client-cert';
  if (typeof header !== 'string' || header !== header.toLowerCase() || !HEADER_NAME.test(header)) {
    throw new ConfigError(
      'mtls.forwardedCertificate.header',
      `'${String(header)}' is not a lowercase header name`,
      'e.g. x-forwarded-client-cert',
    );
  }
  const maxHeaderBytes = numberOption('mtls.forwardedCertificate.maxHeaderBytes', options.maxHeaderBytes, {
    min: 1_024,
    max: 1_048_576,
    fallback: 16_384,
  });
  return { trustedProxies, format, header, maxHeaderBytes };
}

/**
 * Create the mTLS rule: read the verified client certificate (from our TLS socket, or from a trusted proxy's
 * header), identify the peer (exactly one URI SAN holding a SPIFFE ID; not a CA), then authorize it.
 * No certificate → 401 `MTLS_CERT_REQUIRED`; unusable identity → 401 `MTLS_IDENTITY_INVALID`; not allowed →
 * 403 `MTLS_PEER_DENIED`, with the reason in the `mtls.rejected` event.
 *
 * @example
 * const mtls = createMtlsVerifier({ authorize: authorizePathPrefix('corp.example.com', '/ns/billing') });
 * const verdict = mtls.check(fromNodeRequest(req));
 * if (verdict.ok) verdict.value.spiffeId?.id;
 */
export function createMtlsVerifier(options: MtlsVerifierOptions): MtlsVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('mtls', 'options are required', 'pass authorize: who may call this route');
  }
  checkOptions('mtls', options, VERIFIER_KEYS);
  let authorizer: MtlsAuthorizer | undefined;
  const decisionPoint = options.decisionPoint;
  if (decisionPoint !== undefined && typeof decisionPoint !== 'function') {
    throw new ConfigError(
      'mtls.decisionPoint',
      'must be a function returning a promise of a decision',
      "e.g. createOpaAuthorizer({ url: 'http://127.0.0.1:8181', path: 'bulwark/mtls/allow' })",
    );
  }
  const decisionTimeoutMs = numberOption('mtls.decisionTimeoutMs', options.decisionTimeoutMs, {
    min: 10,
    max: 60_000,
    fallback: 1_000,
  });
  if (options.decisionTimeoutMs !== undefined && decisionPoint === undefined) {
    throw new ConfigError(
      'mtls.decisionTimeoutMs',
      'has no decisionPoint to time',
      'remove it or add decisionPoint',
    );
  }
  if (options.authorize !== undefined) {
    if (options.dangerouslyAllowAnyPeer === true) {
      throw new ConfigError('mtls.dangerouslyAllowAnyPeer', 'contradicts authorize', 'remove one of them');
    }
    authorizer = createMtlsAuthorizer(options.authorize, 'mtls.authorize');
  } else if (options.dangerouslyAllowAnyPeer !== true && decisionPoint === undefined) {
    throw new ConfigError(
      'mtls.authorize',
      'is required: a certificate from your CA proves who the caller is, not that it may call this route',
      "e.g. authorizeMemberOf('corp.example.com') or authorizeId('spiffe://corp.example.com/ns/billing/sa/api')",
    );
  } else if (options.dangerouslyAllowAnyPeer === true && decisionPoint !== undefined) {
    throw new ConfigError('mtls.dangerouslyAllowAnyPeer', 'contradicts decisionPoint', 'remove one of them');
  }
  const identity: PeerIdentityOptions = {
    acceptDnsNames: options.acceptDnsNames === true,
    acceptSubject: options.acceptSubject === true,
  };
  const forwarded =
    options.forwardedCertificate === undefined ? undefined : checkForwarded(options.forwardedCertificate);
  const events = new Reporter(options.onEvent, 'mtls');
  const onEvent = events.emit;

  function reject(
    req: RequestLike,
    error: SecurityError,
    detail: string,
    data?: Record<string, unknown>,
  ): Verdict<MtlsPeer> {
    emit(onEvent, {
      type: 'mtls.rejected',
      code: error.code,
      detail,
      method: req.method,
      path: requestPath(req.url),
      ...(data !== undefined ? { data } : {}),
    });
    return deny(error);
  }

  function certificateOf(req: RequestLike): { der: Uint8Array; via: 'tls' | 'proxy' } | Verdict<MtlsPeer> {
    if (forwarded !== undefined) {
      const trusted = forwarded.trustedProxies.isTrustedPeer(req.remoteAddress);
      const values = req.headerValues?.(forwarded.header) ?? [];
      const value = values.length > 0 ? values.join(', ') : req.header(forwarded.header);
      if (trusted) {
        if (value === undefined || value === '') {
          // Never fall back to the socket certificate here: it is the proxy's own, not the client's.
          return reject(
            req,
            MTLS_ERRORS.certificateRequired,
            'the trusted proxy forwarded no client certificate',
            {
              remoteAddress: req.remoteAddress,
            },
          );
        }
        if (value.length > forwarded.maxHeaderBytes) {
          return reject(
            req,
            MTLS_ERRORS.forwardedCertificateInvalid,
            `${forwarded.header} is longer than ${forwarded.maxHeaderBytes} bytes`,
          );
        }
        if (forwarded.format === 'pem' && values.length > 1) {
          return reject(
            req,
            MTLS_ERRORS.forwardedCertificateInvalid,
            `${forwarded.header} appears ${values.length} times`,
          );
        }
        const der = forwarded.format === 'xfcc' ? certificateFromXfcc(value) : urlEncodedPemToDer(value);
        if (!der.ok) return reject(req, MTLS_ERRORS.forwardedCertificateInvalid, der.error);
        return { der: der.value, via: 'proxy' };
      }
      if (value !== undefined) {
        emit(onEvent, {
          type: 'mtls.forwarded_ignored',
          detail: `${forwarded.header} from an untrusted peer was ignored`,
          method: req.method,
          path: requestPath(req.url),
          data: { remoteAddress: req.remoteAddress },
        });
      }
    }
    const der = req.peerCertificate;
    if (der === undefined || der.length === 0) {
      return reject(req, MTLS_ERRORS.certificateRequired, 'no verified client certificate on the connection');
    }
    return { der, via: 'tls' };
  }

  // What an allowed request from an untrusted peer must lose: the header that peer could have forged.
  const strip = forwarded === undefined ? undefined : Object.freeze([forwarded.header]);
  const allowPeer = (req: RequestLike, peer: MtlsPeer): Allowed<MtlsPeer> =>
    strip === undefined || forwarded!.trustedProxies.isTrustedPeer(req.remoteAddress)
      ? allow(peer)
      : { ok: true, value: peer, headers: NO_HEADERS, strip };

  const peerData = (peer: MtlsPeer): Record<string, unknown> => ({
    via: peer.via,
    ...(peer.spiffeId !== undefined ? { spiffeId: peer.spiffeId.id } : {}),
  });

  /** Identification and the synchronous policy; the allowed peer, or the refusal. */
  function identify(req: RequestLike): Verdict<MtlsPeer> {
    const source = certificateOf(req);
    if ('ok' in source) return source;
    const identified = identifyPeer(source.der, source.via, identity);
    if (!identified.ok) {
      return reject(req, MTLS_ERRORS.identityInvalid, identified.error, { via: source.via });
    }
    const peer = identified.value;
    if (authorizer !== undefined) {
      const decision = decide(authorizer, peer);
      if (!decision.ok) return reject(req, MTLS_ERRORS.peerDenied, decision.error, peerData(peer));
    }
    return allowPeer(req, peer);
  }

  /** Ask the decision point within the time budget; anything but a decision refuses (fail closed). */
  async function askDecisionPoint(
    point: MtlsDecisionPoint,
    req: RequestLike,
    allowed: Allowed<MtlsPeer>,
  ): Promise<Verdict<MtlsPeer>> {
    const peer = allowed.value;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), decisionTimeoutMs);
    });
    let answer: MtlsDecision | boolean | 'late';
    try {
      answer = await Promise.race([point(peer, { method: req.method, path: requestPath(req.url) }), late]);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return reject(
        req,
        MTLS_ERRORS.authorizerUnavailable,
        `the decision point failed: ${why}`,
        peerData(peer),
      );
    } finally {
      clearTimeout(timer);
    }
    if (answer === 'late') {
      return reject(
        req,
        MTLS_ERRORS.authorizerUnavailable,
        `the decision point did not answer within ${decisionTimeoutMs} ms`,
        peerData(peer),
      );
    }
    const decided = answer;
    const decision = decide(() => decided, peer);
    if (!decision.ok) return reject(req, MTLS_ERRORS.peerDenied, decision.error, peerData(peer));
    return allowed;
  }

  const check = observedCheck('mtls', events, (req: RequestLike): Verdict<MtlsPeer> => {
    const verdict = identify(req);
    if (!verdict.ok || decisionPoint === undefined) return verdict;
    return reject(
      req,
      MTLS_ERRORS.authorizerUnavailable,
      'a decisionPoint is configured but the adapter called check(), which cannot wait for it; use checkRequest()',
      peerData(verdict.value),
    );
  });

  return {
    [RULE]: 'mtls',
    [EVENTS]: events,
    check,
    checkRequest:
      decisionPoint === undefined
        ? check
        : observedCheck('mtls', events, (req: RequestLike) => {
            const verdict = identify(req);
            return verdict.ok ? askDecisionPoint(decisionPoint, req, verdict) : verdict;
          }),
  };
}
