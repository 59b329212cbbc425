import { ConfigError } from '../errors.js';

/**
 * Platforms whose edge writes the client address into a header on every request and overwrites any value
 * the client sent, and whose compute can only be reached through that edge. Naming one is how a user tells
 * bulwark where the client address is on a runtime that has no socket address (Workers) or whose socket
 * peer is always the platform's proxy (Fly Machines, Vercel Functions).
 */
export type ClientIpPlatform = 'cloudflare' | 'fly' | 'vercel';

/** The header each platform's edge sets, and why it can be believed. */
export const PLATFORM_HEADERS: Readonly<Record<ClientIpPlatform, string>> = Object.freeze({
  // Cloudflare sets CF-Connecting-IP on every request to a Worker (a client's own value is replaced).
  // CF-Connecting-IPv6 is not read: it is only added with Pseudo IPv4, and then CF-Connecting-IP carries a
  // stable per-client pseudo address that buckets the client as well.
  cloudflare: 'cf-connecting-ip',
  // Fly Proxy: "the IP address Fly Proxy accepted a connection from".
  fly: 'fly-client-ip',
  // Vercel overwrites X-Forwarded-For and X-Real-IP with the client address to prevent spoofing; X-Real-IP
  // holds the one address.
  vercel: 'x-real-ip',
});

/** Names users reach for that must not be believed by header, with what to do instead. */
const NOT_BY_HEADER: Readonly<Record<string, string>> = {
  fastly:
    "Fastly keeps a Fastly-Client-IP header the client sent. On Fastly Compute pass the runtime's address ({ remoteAddress: event.client.address }); behind Fastly Delivery overwrite the header in VCL and use sealedHeader: 'fastly-client-ip' with Fastly's ranges in trustedProxies",
  akamai:
    "True-Client-IP is believed only from Akamai's addresses: list them in trustedProxies with sealedHeader: 'true-client-ip'",
  aws: 'an AWS load balancer appends to X-Forwarded-For: list its subnet in trustedProxies',
};

/**
 * Check a `platform` option. A platform replaces the proxy settings (its edge is the one proxy), so
 * combining them is refused rather than silently ignoring one of them.
 *
 * @example
 * checkPlatform('clientIp.platform', 'cloudflare', { trustedProxies: [] }) // 'cloudflare'
 */
export function checkPlatform(
  option: string,
  value: unknown,
  others: { trustedProxies?: readonly string[] | undefined; sealedHeader?: string | undefined },
): ClientIpPlatform | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !Object.hasOwn(PLATFORM_HEADERS, value)) {
    const hint = typeof value === 'string' ? NOT_BY_HEADER[value.toLowerCase()] : undefined;
    throw new ConfigError(
      option,
      `'${String(value)}' is not a platform whose edge header bulwark believes`,
      hint ?? `use one of ${Object.keys(PLATFORM_HEADERS).join(', ')}, or trustedProxies and sealedHeader`,
    );
  }
  if ((others.trustedProxies?.length ?? 0) > 0 || others.sealedHeader !== undefined) {
    throw new ConfigError(
      option,
      'is set together with trustedProxies or sealedHeader',
      `the platform's edge is the only proxy: remove trustedProxies and sealedHeader (behind your own proxy in front of ${value}, use those instead of platform)`,
    );
  }
  return value as ClientIpPlatform;
}
