import { randomInt } from 'node:crypto';
import type { ProbeRequest, ProbeResponse } from '../client.js';
import { defineRules } from '../findings.js';
import type { CheckContext } from './context.js';

const DOCS = 'docs/rate-limiting.md';

/** The rate-limit rules. */
export const RATELIMIT_RULES = defineRules('ratelimit', {
  noLimit: {
    id: 'ratelimit.no-limit',
    severity: 'medium',
    title: 'No rate limit within the probed number of requests',
    why: 'Without a limit, credential stuffing, token guessing and scraping run at the attacker’s speed.',
    fix: {
      bulwark: "app.use(rateLimit({ rate: '100/min' })); // @bulwark/express, per client IP",
      plain:
        "app.use(rateLimit({ windowMs: 60_000, limit: 100, standardHeaders: 'draft-8' })) // express-rate-limit",
    },
    docs: DOCS,
  },
  spoofableKey: {
    id: 'ratelimit.spoofable-key',
    severity: 'high',
    title: 'Rate limit reset by a client-supplied IP header',
    why: 'The limiter keys on X-Forwarded-For / Forwarded / X-Real-IP as sent by the client: every request with a new value gets a fresh bucket, so the limit does not exist.',
    fix: {
      bulwark:
        "rateLimit({ rate: '100/min', clientIp: createClientIpResolver({ trustedProxies: ['10.0.0.0/8'] }) }) // only your proxies are believed",
      plain: "app.set('trust proxy', 1) // the number of proxies in front of you, never true",
    },
    docs: DOCS,
  },
  retryAfterMissing: {
    id: 'ratelimit.retry-after-missing',
    severity: 'low',
    title: '429 without a valid Retry-After',
    why: 'Clients cannot tell when to retry, so well-behaved ones hammer the API or give up (RFC 9110 §10.2.3, RFC 6585 §4).',
    fix: {
      bulwark: "rateLimit({ rate: '100/min' }) // 429 problem+json with Retry-After and RateLimit fields",
      plain: "express-rate-limit: standardHeaders: 'draft-8' (sets Retry-After on 429)",
    },
    docs: DOCS,
  },
  fieldsMissing: {
    id: 'ratelimit.fields-missing',
    severity: 'low',
    title: 'No RateLimit header fields',
    why: 'Neither RateLimit/RateLimit-Policy (IETF) nor the older RateLimit-* / X-RateLimit-* fields tell clients their quota before they hit it.',
    fix: {
      bulwark: "rateLimit({ rate: '100/min' }) // RateLimit-Policy and RateLimit on every response",
      plain: "express-rate-limit: standardHeaders: 'draft-8'",
    },
    docs: DOCS,
  },
});
const R = RATELIMIT_RULES;

// Documentation ranges (RFC 5737): never a real client, always "public" to a naive parser.
const spoofIp = () => `${['192.0.2', '198.51.100', '203.0.113'][randomInt(3)]}.${randomInt(1, 255)}`;
const SPOOFS: readonly [string, (ip: string) => string][] = [
  ['x-forwarded-for', (ip) => ip],
  ['forwarded', (ip) => `for=${ip}`],
  ['x-real-ip', (ip) => ip],
];

function validRetryAfter(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim();
  return /^\d+$/.test(v) || (/[A-Za-z]/.test(v) && !Number.isNaN(Date.parse(v)));
}

/**
 * The rate-limit area, only with `--probe-rate-limit <n>`: up to n sequential requests until a 429, then
 * its Retry-After and RateLimit fields, then one request per client-IP header with a fresh spoofed address:
 * a non-429 answer followed by a plain request still limited means the header reset the bucket.
 * The audit's own address stays limited for the API's window afterwards.
 */
export async function checkRateLimit(ctx: CheckContext): Promise<void> {
  const n = ctx.options.probeRateLimit;
  if (n === undefined) {
    ctx.notChecked(
      'ratelimit',
      'every rate-limit check',
      'off by default; --probe-rate-limit <n> sends up to n requests',
    );
    return;
  }
  ctx.phase('ratelimit');
  const first = ctx.targets[0]!;
  const url = new URL(ctx.options.rateLimitPath ?? first.url.href, first.url);
  const post = ctx.options.rateLimitMethod === 'POST';
  const request = (headers: Record<string, string> = {}): ProbeRequest => ({
    method: ctx.options.rateLimitMethod,
    url,
    headers: post ? { 'content-type': 'application/json', ...headers } : headers,
    ...(post ? { body: '{}' } : {}),
  });
  let limited: ProbeResponse | undefined;
  let last: ProbeResponse | undefined;
  for (let i = 0; i < n && limited === undefined; i++) {
    last = await ctx.client.send(request());
    if (last.status === 429) limited = last;
  }
  if (limited === undefined) {
    ctx.found(
      R.noLimit,
      url.href,
      `${n} ${ctx.options.rateLimitMethod} requests in a row, none answered 429 (a limit above ${n} may exist)`,
      last ? [ctx.evidence(last)] : [],
    );
    ctx.notChecked(
      'ratelimit',
      'Retry-After, RateLimit fields and spoofed client IPs',
      `no 429 within ${n} requests`,
    );
    return;
  }
  const retryAfter = limited.header('retry-after');
  if (!validRetryAfter(retryAfter)) {
    ctx.found(
      R.retryAfterMissing,
      url.href,
      retryAfter === undefined
        ? 'the 429 has no Retry-After'
        : `Retry-After: ${JSON.stringify(retryAfter)} is neither seconds nor an HTTP date`,
      [ctx.evidence(limited)],
    );
  }
  const names = limited.headerPairs.map(([k]) => k);
  if (
    !names.some((k) =>
      /^(ratelimit|ratelimit-policy|ratelimit-(limit|remaining|reset)|x-ratelimit-(limit|remaining|reset))$/.test(
        k,
      ),
    )
  ) {
    ctx.found(R.fieldsMissing, url.href, 'the 429 carries no RateLimit, RateLimit-* or X-RateLimit-* field', [
      ctx.evidence(limited),
    ]);
  }
  for (const [header, value] of SPOOFS) {
    const spoofed = await ctx.client.send(request({ [header]: value(spoofIp()) }));
    if (spoofed.status === 429) continue;
    const plain = await ctx.client.send(request());
    if (plain.status === 429) {
      ctx.found(
        R.spoofableKey,
        url.href,
        `with ${header}: ${spoofed.request.headers.find(([k]) => k === header)?.[1]} the request got ${spoofed.status}; without it, still 429`,
        [ctx.evidence(spoofed), ctx.evidence(plain)],
      );
    } else {
      ctx.notChecked(
        'ratelimit',
        `${header} rotation`,
        `inconclusive: the limit window ended during the probe (${plain.status} without the header); rerun with a larger n`,
      );
      return;
    }
  }
}
