import { emit } from '../events.js';
import type { ClientIpResolver } from '../http/client-ip.js';
import { type RequestLike, requestPath } from '../http/request.js';
import type { Reporter } from '../observe/reporter.js';
import { allowDegraded, deny, type Verdict } from '../verdict.js';
import { RATELIMIT_ERRORS } from './errors.js';
import type { RateLimitInfo } from './limiter.js';
import { StoreTimeout } from './store-call.js';

// What a request let through by a failing store was counted in: nothing.
const NOT_COUNTED: RateLimitInfo = Object.freeze({ clientIp: undefined, buckets: Object.freeze([]) });

/**
 * What one limiter reports, and the verdicts that go with it: store failures and recovery (once per
 * outage), an unknown client address and an unknown route (once each), exhausted buckets (per denial,
 * only when someone listens).
 */
export class LimiterReports {
  private storeDown = false;
  private warnedUnknownIp = false;
  private warnedNoRoute = false;

  constructor(
    private readonly name: string,
    private readonly failMode: 'open' | 'closed',
    private readonly clientIp: ClientIpResolver,
    private readonly events: Reporter,
  ) {}

  /** The verdict for a store call that failed or timed out, by `failMode`. */
  storeFailed(req: RequestLike, err: unknown): Verdict<RateLimitInfo> {
    const { name, failMode } = this;
    const detail = err instanceof StoreTimeout ? err.message : `store failed: ${String(err)}`;
    emit(this.events.emit, {
      type: 'ratelimit.store_error',
      ...(failMode === 'closed' ? { code: RATELIMIT_ERRORS.storeUnavailable.code } : {}),
      detail,
      method: req.method,
      path: requestPath(req.url),
      data: { limiter: name, failMode },
    });
    if (!this.storeDown) {
      this.storeDown = true;
      emit(this.events.emit, {
        type: 'ratelimit.store_failing',
        code: RATELIMIT_ERRORS.storeUnavailable.code,
        detail:
          failMode === 'open'
            ? `ratelimit '${name}': the store is failing and requests are let through UNCOUNTED (failMode 'open') until it answers again: ${detail}`
            : `ratelimit '${name}': the store is failing and requests are refused with 503 (failMode 'closed') until it answers again: ${detail}`,
        data: { limiter: name, failMode },
      });
    }
    return failMode === 'open'
      ? allowDegraded(NOT_COUNTED, RATELIMIT_ERRORS.storeUnavailable)
      : deny(RATELIMIT_ERRORS.storeUnavailable);
  }

  /** The store answered: reported once when it had been failing. */
  storeAnswered(): void {
    if (!this.storeDown) return;
    this.storeDown = false;
    emit(this.events.emit, {
      type: 'ratelimit.store_recovered',
      detail: `ratelimit '${this.name}': the store answers again; requests are counted`,
      data: { limiter: this.name },
    });
  }

  /** The verdict for a request whose client address is unknown: refused, reported once. */
  unknownClient(req: RequestLike): Verdict<RateLimitInfo> {
    if (!this.warnedUnknownIp) {
      this.warnedUnknownIp = true;
      const { name, clientIp } = this;
      const detail =
        clientIp.platform !== undefined
          ? `ratelimit '${name}': the request has no valid ${clientIp.platform} client-address header; it did not come through the platform's edge (clientIp.platform)`
          : `ratelimit '${name}': the request has no client address, so its IP bucket cannot be chosen and it is refused (${RATELIMIT_ERRORS.clientIpUnknown.code}). ` +
            "Pass the runtime's connection to the handler (Bun: fetch(request, server); Deno: (request, info); node: @bulwark/fetch/node), " +
            "or name the platform whose edge writes the address: clientIp: { platform: 'cloudflare' | 'fly' | 'vercel' }";
      emit(this.events.emit, {
        type: 'ratelimit.client_ip_unknown',
        code: RATELIMIT_ERRORS.clientIpUnknown.code,
        detail,
        method: req.method,
        path: requestPath(req.url),
        data: { limiter: name },
      });
    }
    return deny(RATELIMIT_ERRORS.clientIpUnknown);
  }

  /** A perRoute bucket was skipped because the route is unknown: reported once. */
  routeUnknown(req: RequestLike): void {
    if (this.warnedNoRoute) return;
    this.warnedNoRoute = true;
    emit(this.events.emit, {
      type: 'ratelimit.route_unknown',
      detail:
        'a perRoute bucket was skipped: the adapter did not know the route (mount rateLimit() on the route itself)',
      method: req.method,
      path: requestPath(req.url),
    });
  }

  /** Buckets exhausted: the event is built only when a hook, a log or a sampled denial log listens. */
  limited(req: RequestLike, ip: string | undefined, denied: readonly string[], retryAfterMs: number): void {
    if (!this.events.reaches('ratelimit.limited')) return;
    emit(this.events.emit, {
      type: 'ratelimit.limited',
      code: RATELIMIT_ERRORS.limited.code,
      detail: `exhausted: ${denied.join(', ')}`,
      method: req.method,
      path: requestPath(req.url),
      data: { limiter: this.name, buckets: denied, clientIp: ip, retryAfterMs: Math.ceil(retryAfterMs) },
    });
  }
}
