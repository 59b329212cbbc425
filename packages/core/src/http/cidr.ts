import { ConfigError } from '../errors.js';
import { fail, ok, type Result } from '../verdict.js';
import { formatIp, inPrefix, type IpWords, isV4, maskIp, parseIp } from './ip.js';

const PRIVATE = Object.freeze(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);

/**
 * Named address sets accepted in a trust list, expanded to their CIDRs. `loopback`, `linklocal` and
 * `uniquelocal` are exactly proxy-addr's (express's `trust proxy`), so a trust list moved from express means
 * the same here; `private` is another name for `uniquelocal`; `cgnat` is bulwark's own.
 *
 * @example
 * createClientIpResolver({ trustedProxies: ['loopback', 'uniquelocal'] });
 */
export const NAMED_RANGES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  /** 127.0.0.0/8 and ::1 (RFC 1122, RFC 4291). */
  loopback: Object.freeze(['127.0.0.0/8', '::1/128']),
  /** IPv4 and IPv6 link-local (RFC 3927, RFC 4291). */
  linklocal: Object.freeze(['169.254.0.0/16', 'fe80::/10']),
  /** RFC 1918 private IPv4 and RFC 4193 unique-local IPv6: what proxy-addr calls `uniquelocal`. */
  uniquelocal: PRIVATE,
  /** The same networks as `uniquelocal`. */
  private: PRIVATE,
  /** RFC 6598 carrier-grade NAT space, used by some cloud load balancers. */
  cgnat: Object.freeze(['100.64.0.0/10']),
});

/** One parsed network: address words and prefix length on the 128-bit form. */
export interface Cidr {
  readonly network: IpWords;
  readonly bits: number;
  /** Canonical text, e.g. `10.0.0.0/8` or `2001:db8::/32`. */
  readonly text: string;
}

/**
 * Parse `a.b.c.d/n`, `x::y/n` or a bare address. Host bits must be zero so a typo such as
 * `192.168.1.10/16` cannot silently trust far more than intended. Fails with the reason.
 *
 * @example
 * parseCidr('10.0.0.0/8') // { ok: true, value: { bits: 104, text: '10.0.0.0/8', ... } }
 */
export function parseCidr(text: string): Result<Cidr, string> {
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const network = parseIp(addrText);
  if (network === undefined) return fail(`'${text}' is not an IP address or CIDR`);
  const v4 = isV4(network) && addrText.indexOf(':') === -1;
  const max = v4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > max)
      return fail(`'${text}' has an invalid prefix length`);
    prefix = Number(p);
  }
  const bits = v4 ? prefix + 96 : prefix;
  const masked = maskIp(network, bits);
  if (!masked.every((w, i) => w === network[i])) {
    return fail(
      `'${text}' has bits set after the /${prefix} prefix (did you mean ${cidrText(masked, bits)}?)`,
    );
  }
  return ok({ network: masked, bits, text: cidrText(masked, bits) });
}

/**
 * Canonical text of a network, in the family its address prints in: an IPv4-mapped network written in IPv6
 * (`::ffff:a00:0/122`) is `10.0.0.0/26`, never `10.0.0.0/122`, so every text this module prints (canonical
 * forms, the suggestion of an error) parses back to the same network.
 */
function cidrText(network: IpWords, bits: number): string {
  return isV4(network) && bits >= 96 ? `${formatIp(network)}/${bits - 96}` : `${formatIp(network)}/${bits}`;
}

/**
 * Build a trust list from CIDRs, bare addresses and named sets (`loopback`, `private`, `linklocal`,
 * `uniquelocal`, `cgnat`). Throws {@link ConfigError} for anything else, including a prefix of 0: trusting
 * every address would let any client write its own forwarded headers.
 *
 * @example
 * const trusted = parseTrustList('trustedProxies', ['loopback', '10.0.0.0/8']);
 */
export function parseTrustList(option: string, entries: unknown): Cidr[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) {
    throw new ConfigError(
      option,
      `must be a list of CIDRs or named sets, got ${typeof entries === 'boolean' || typeof entries === 'number' ? String(entries) : typeof entries}; "true" or a hop count trusts whatever a client writes`,
      "list your proxies' addresses, e.g. ['loopback', '10.0.0.0/8']",
    );
  }
  const out: Cidr[] = [];
  entries.forEach((entry: unknown, i: number) => {
    const path = `${option}[${i}]`;
    if (typeof entry !== 'string' || entry === '') {
      throw new ConfigError(
        path,
        'must be a CIDR, an IP address or a named set',
        "e.g. '10.0.0.0/8' or 'loopback'",
      );
    }
    const named = NAMED_RANGES[entry];
    const texts = named ?? [entry];
    for (const text of texts) {
      const parsed = parseCidr(text);
      if (!parsed.ok) {
        throw new ConfigError(
          path,
          parsed.error,
          `use a CIDR such as '10.0.0.0/8' or one of ${Object.keys(NAMED_RANGES).join(', ')}`,
        );
      }
      const cidr = parsed.value;
      if (cidr.bits === 0 || (cidr.bits === 96 && isV4(cidr.network))) {
        throw new ConfigError(
          path,
          `'${entry}' trusts every address, so any client could forge its forwarded headers`,
          "list only your proxies' networks",
        );
      }
      if (!out.some((c) => c.bits === cidr.bits && c.text === cidr.text)) out.push(cidr);
    }
  });
  return out;
}

/**
 * True when `words` lies in any of `list`.
 *
 * @example
 * inAnyCidr(parseIp('10.1.2.3')!, parseTrustList('t', ['private'])) // true
 */
export function inAnyCidr(words: IpWords, list: readonly Cidr[]): boolean {
  for (const c of list) if (inPrefix(words, c.network, c.bits)) return true;
  return false;
}
