import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import type { OnEvent } from '../events.js';
import { EVENTS, Reporter } from '../observe/reporter.js';
import { type Cidr, inAnyCidr, parseTrustList } from './cidr.js';
import { lastForwardedForHops, lastForwardedHeaderHops } from './forwarded-hops.js';
import { formatIp, type IpWords, isV4, maskIp, parseIp } from './ip.js';
import { type ClientIpPlatform, checkPlatform, PLATFORM_HEADERS } from './platforms.js';
import { type RequestLike, requestPath } from './request.js';

/** Options of {@link createClientIpResolver}. */
export interface ClientIpResolverOptions {
  /**
   * The proxies whose forwarding headers are believed: CIDRs (`10.0.0.0/8`, `2001:db8::/32`), bare addresses
   * and named sets (`loopback`, `linklocal`, `uniquelocal` as in express/proxy-addr; `private` = `uniquelocal`;
   * `cgnat`). Empty (the default): the socket peer is the client and forwarding headers are ignored. `true`
   * and hop counts are refused.
   */
  trustedProxies?: readonly string[];
  /**
   * Which forwarding header your trusted proxies write: `x-forwarded-for` (default) or `forwarded`
   * (RFC 7239). Only one is read: a proxy that appends one passes the other through untouched, so reading
   * both would let a client write its own.
   */
  forwardedHeader?: 'x-forwarded-for' | 'forwarded';
  /**
   * A header your edge overwrites with the client address (`cf-connecting-ip`, `true-client-ip`, or your
   * own). Honoured only when the socket peer is a trusted proxy; otherwise a client could set it.
   */
  sealedHeader?: string;
  /**
   * The platform your code runs on, whose edge writes the client address into a header it overwrites on
   * every request: `cloudflare` (Workers: `cf-connecting-ip`), `fly` (`fly-client-ip`), `vercel`
   * (`x-real-ip`). Name it only where every request reaches your code through that edge; the header is
   * then the client, and a request without it has no known client. Not combined with `trustedProxies`.
   */
  platform?: ClientIpPlatform;
  /** IPv6 clients share a bucket per prefix of this length (32–64, default 64: one customer network). */
  ipv6Prefix?: number;
  /** Accept `addr:port` and `[v6]:port` elements in `X-Forwarded-For` (Azure-style). Default false: junk. */
  stripPortsInForwardedFor?: boolean;
  /** Forwarding hops examined at most, from the right. Default 16. */
  maxHops?: number;
  /**
   * Receives `client_ip.forwarded_ignored` (once). Without a hook (here or the app's) the warning is logged
   * (the framework's logger, else the console).
   */
  onEvent?: OnEvent;
}

/** Resolves the client address of a request, believing forwarding headers only from trusted proxies. */
export interface ClientIpResolver {
  /** Where its events go; the rules using it pass their app's sink on. */
  readonly [EVENTS]: Reporter;
  /** Canonical client address (`203.0.113.9`, `2001:db8::1`), or undefined when the peer is unknown. */
  resolve(req: RequestLike): string | undefined;
  /**
   * Rate-limit key of the client: the IPv4 address, or the IPv6 prefix (`2001:db8:1:2::/64`); 6to4, NAT64,
   * IPv4-compatible and Teredo addresses are keyed by the IPv4 host they carry.
   */
  key(req: RequestLike): string | undefined;
  /** Bucket key of an address text, or undefined when it is not an address. */
  bucketOf(address: string): string | undefined;
  /** True when `address` (IPv4-mapped or not, with or without a zone id) is inside the trusted ranges. */
  isTrustedPeer(address: string | undefined): boolean;
  /** The expanded trust list in canonical CIDR form. */
  readonly trustedProxies: readonly string[];
  /** The platform named in the options, whose edge header gives the client address. */
  readonly platform: ClientIpPlatform | undefined;
}

/**
 * Internal (not exported from the package): `resolve` and `bucketOf` in one step, the address parsed once.
 * Writes the canonical address and its bucket key into `out`; false when the client is unknown.
 */
export const RESOLVE_KEYED: unique symbol = Symbol('bulwark.clientIp.resolveKeyed');
/** The scratch {@link RESOLVE_KEYED} fills. */
export interface KeyedClient {
  ip: string | undefined;
  key: string | undefined;
}
type KeyedResolver = { [RESOLVE_KEYED]?: (req: RequestLike, out: KeyedClient) => boolean };

/**
 * Client address and bucket key of `req`: one parse with a resolver built here, `resolve` then `bucketOf`
 * with one supplied from elsewhere.
 */
export function resolveKeyed(resolver: ClientIpResolver, req: RequestLike, out: KeyedClient): boolean {
  const keyed = (resolver as KeyedResolver)[RESOLVE_KEYED];
  if (keyed !== undefined) return keyed(req, out);
  const ip = resolver.resolve(req);
  out.ip = ip;
  out.key = ip === undefined ? undefined : resolver.bucketOf(ip);
  return ip !== undefined;
}

/** What a request from one socket peer resolves to, or PROXY when the peer is a trusted proxy. */
type PeerAnswer = { readonly ip: string; readonly key: string } | typeof PROXY;
const PROXY = null;
// Peers remembered at once by one resolver; the map is emptied when full (a flood of new addresses then
// costs what it cost before: one parse each).
const PEERS_MAX = 10_000;

const SEALED_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

const RESOLVER_KEYS = optionKeys<ClientIpResolverOptions>()(
  'trustedProxies',
  'platform',
  'forwardedHeader',
  'sealedHeader',
  'ipv6Prefix',
  'stripPortsInForwardedFor',
  'maxHops',
  'onEvent',
);

/** Socket addresses may carry a zone id (`fe80::1%eth0`); it names a local interface, not a client. */
function parsePeer(text: string): IpWords | undefined {
  const pct = text.indexOf('%');
  return parseIp(pct === -1 ? text : text.slice(0, pct));
}

const v4Text = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 host behind an IPv6 form that carries one, for bucketing only (never for trust): a 6to4 site
 * (2002:V4::/48, RFC 3056) is one IPv4 host with 65 536 /64s; NAT64 (64:ff9b::/96, RFC 6052), IPv4-compatible
 * (::/96, RFC 4291) and Teredo (2001::/32, RFC 4380, inverted) addresses are distinct IPv4 clients that a
 * /64 would lump into one bucket.
 */
function embeddedV4(w: IpWords): string | undefined {
  if (w[0] === 0x2002) return v4Text(w[1]!, w[2]!);
  if (w[0] === 0x2001 && w[1] === 0) return v4Text(~w[6]! & 0xffff, ~w[7]! & 0xffff);
  if (w[2] !== 0 || w[3] !== 0 || w[4] !== 0 || w[5] !== 0) return undefined;
  const nat64 = w[0] === 0x64 && w[1] === 0xff9b;
  // ::/96 with a first octet of 0 is `::`, `::1` and other non-hosts: keep them as IPv6.
  const compatible = w[0] === 0 && w[1] === 0 && w[6]! >> 8 !== 0;
  return nat64 || compatible ? v4Text(w[6]!, w[7]!) : undefined;
}

/**
 * Build a client-IP resolver. With trusted proxies, `X-Forwarded-For` (or `Forwarded`) is walked from the
 * right and the first hop outside the trusted ranges is the client; a junk hop stops the walk at the last
 * good address. IPv4-mapped IPv6 is the IPv4 address; IPv6 clients are keyed by prefix.
 *
 * @example
 * const ip = createClientIpResolver({ trustedProxies: ['loopback', '10.0.0.0/8'] });
 * ip.resolve(req) // '203.0.113.9'
 * ip.key(req)     // '203.0.113.9', or '2001:db8:1:2::/64' for IPv6 clients
 */
export function createClientIpResolver(options: ClientIpResolverOptions = {}): ClientIpResolver {
  return clientIpResolverAt('clientIp.', options);
}

/**
 * {@link createClientIpResolver} for options nested in another rule's (`clientIp` of a rate limiter), so a
 * ConfigError names the full path.
 *
 * @example
 * const resolver = clientIpResolverAt('clientIp.', options.clientIp ?? {});
 */
export function clientIpResolverAt(at: string, options: ClientIpResolverOptions): ClientIpResolver {
  checkOptions(at.endsWith('.') ? at.slice(0, -1) : at, options, RESOLVER_KEYS);
  const trust: readonly Cidr[] = parseTrustList(`${at}trustedProxies`, options.trustedProxies);
  const platform = checkPlatform(`${at}platform`, options.platform, {
    trustedProxies: options.trustedProxies,
    sealedHeader: options.sealedHeader,
  });
  const platformHeader = platform === undefined ? undefined : PLATFORM_HEADERS[platform];
  const header = options.forwardedHeader ?? 'x-forwarded-for';
  if (header !== 'x-forwarded-for' && header !== 'forwarded') {
    throw new ConfigError(
      `${at}forwardedHeader`,
      `'${String(header)}' is not supported`,
      "use 'x-forwarded-for' or 'forwarded'",
    );
  }
  const sealed = options.sealedHeader?.toLowerCase();
  if (sealed !== undefined) {
    if (!SEALED_NAME.test(sealed)) {
      throw new ConfigError(`${at}sealedHeader`, 'must be a header name', "e.g. 'cf-connecting-ip'");
    }
    if (trust.length === 0) {
      throw new ConfigError(
        `${at}sealedHeader`,
        'is set but no proxy is trusted, so any client could set it',
        'list the edge that writes it in trustedProxies',
      );
    }
  }
  const v6Prefix = numberOption(`${at}ipv6Prefix`, options.ipv6Prefix, { min: 32, max: 64, fallback: 64 });
  const maxHops = numberOption(`${at}maxHops`, options.maxHops, { min: 1, max: 64, fallback: 16 });
  const stripPorts = options.stripPortsInForwardedFor === true;
  const events = new Reporter(options.onEvent, 'client_ip');
  let warned = trust.length > 0;

  const warnUntrusted = (req: RequestLike): void => {
    if (req.header('x-forwarded-for') === undefined && req.header('forwarded') === undefined) return;
    warned = true;
    const detail =
      'requests carry X-Forwarded-For/Forwarded but trustedProxies is empty: the socket address is used as the client. ' +
      'If this app runs behind a proxy, list it in trustedProxies; otherwise every client shares the proxy address.';
    events.emit({
      type: 'client_ip.forwarded_ignored',
      detail,
      method: req.method,
      path: requestPath(req.url),
    });
  };

  const resolveWords = (req: RequestLike): IpWords | undefined => {
    if (platformHeader !== undefined) {
      // The edge wrote it; the socket peer (if any) is the platform's proxy, never the client.
      const value = req.header(platformHeader);
      return value === undefined ? undefined : parseIp(value.trim());
    }
    const peerText = req.remoteAddress;
    if (peerText === undefined) return undefined;
    const peer = parsePeer(peerText);
    if (peer === undefined) return undefined;
    if (!warned) warnUntrusted(req);
    if (trust.length === 0 || !inAnyCidr(peer, trust)) return peer;
    if (sealed !== undefined) {
      const value = req.header(sealed);
      const words = value === undefined ? undefined : parseIp(value.trim());
      if (words !== undefined) return words;
    }
    const value = req.header(header);
    if (value === undefined) return peer;
    // Right to left, at most maxHops.
    const hops =
      header === 'forwarded'
        ? lastForwardedHeaderHops(value, maxHops)
        : lastForwardedForHops(value, stripPorts, maxHops);
    let client = peer;
    for (const text of hops) {
      const words = text === undefined ? undefined : parseIp(text);
      // Junk: whoever wrote it is the last address we can vouch for.
      if (words === undefined) break;
      client = words;
      if (!inAnyCidr(words, trust)) break;
    }
    return client;
  };

  const bucket = (words: IpWords): string => {
    if (isV4(words)) return formatIp(words);
    const host = embeddedV4(words);
    return host !== undefined ? host : `${formatIp(maskIp(words, v6Prefix))}/${v6Prefix}`;
  };

  // Socket peer text → the client address and bucket a request from it resolves to when the peer alone
  // decides (it is not a trusted proxy): parsed and formatted once per peer rather than per request, and the
  // same strings each time, so a store keyed by them finds their hash already computed. PROXY marks a
  // trusted peer, whose requests are resolved from their forwarded headers every time.
  const peers = new Map<string, PeerAnswer>();

  const resolver: ClientIpResolver & KeyedResolver = {
    [EVENTS]: events,
    resolve(req) {
      const words = resolveWords(req);
      return words === undefined ? undefined : formatIp(words);
    },
    key(req) {
      const words = resolveWords(req);
      return words === undefined ? undefined : bucket(words);
    },
    [RESOLVE_KEYED](req: RequestLike, out: KeyedClient) {
      const peerText = platformHeader === undefined ? req.remoteAddress : undefined;
      if (peerText !== undefined) {
        const known = peers.get(peerText);
        if (known !== undefined && known !== PROXY) {
          if (!warned) warnUntrusted(req);
          out.ip = known.ip;
          out.key = known.key;
          return true;
        }
      }
      const words = resolveWords(req);
      if (words === undefined) {
        out.ip = undefined;
        out.key = undefined;
        return false;
      }
      const ip = formatIp(words);
      out.ip = ip;
      // An IPv4 client's bucket is its canonical text (what bucket() would format again).
      const key = isV4(words) ? ip : bucket(words);
      out.key = key;
      if (peerText !== undefined && !peers.has(peerText)) {
        // The peer alone decided unless it is a trusted proxy (then the client is in the forwarded headers).
        const peer = trust.length === 0 ? undefined : parsePeer(peerText);
        if (peers.size >= PEERS_MAX) peers.clear();
        peers.set(peerText, peer !== undefined && inAnyCidr(peer, trust) ? PROXY : { ip, key });
      }
      return true;
    },
    bucketOf(address) {
      const words = parsePeer(address);
      return words === undefined ? undefined : bucket(words);
    },
    isTrustedPeer(address) {
      if (address === undefined || trust.length === 0) return false;
      const words = parsePeer(address);
      return words !== undefined && inAnyCidr(words, trust);
    },
    trustedProxies: trust.map((c) => c.text),
    platform,
  };
  return resolver;
}
