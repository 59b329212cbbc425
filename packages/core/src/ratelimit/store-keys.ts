import { sha256Base64Url } from '../bytes/index.js';

/** Bound of every per-limiter cache below: emptied, not evicted one by one, when it is reached. */
export const KEY_CACHE_MAX = 10_000;

/**
 * A store-safe key part: keys built from API keys or token subjects never reach a store in clear. The first
 * 128 bits of SHA-256, base64url (22 characters).
 *
 * @example
 * hashKeyPart('api-key-123').length // 22
 */
export function hashKeyPart(text: string): string {
  // The digest as text (node hands it over without a Buffer, about twice as fast), cut to the 22 characters
  // of its first 16 bytes: the 22nd then holds only the last 2 bits of byte 16, the rest zero, as the
  // 16-byte encoding has it (the keys stores already hold).
  const full = sha256Base64Url(text);
  return full.slice(0, 21) + BASE64URL[BASE64URL.indexOf(full[21]!) & 0x30];
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Who a keyed bucket counts, as the limiter reads it: a subject (not a secret), or a credential-like value. */
export type IdentityKind = 'subject' | 'secret';

/**
 * The store keys of keyed buckets (subject, API key, function; tiers and routes), per limiter. A request of
 * a client seen before gets the very string it got last time: nothing is built per request, and the memory
 * store finds the key's hash already computed and compares it by identity.
 *
 * What is kept, and why it holds no credential: the store keys are `prefix|hash` (or `prefix|ip bucket`),
 * indexed by that hash; the text → hash cache holds subjects and route patterns only. An API key, or
 * whatever a key function returns (it may be a token or a session id), is hashed on each request and
 * dropped: its text is never a key or value of anything kept here.
 *
 * @example
 * const keys = new StoreKeys();
 * keys.storeKey(rate.keyPrefix, keys.identity('subject', claims.sub)); // 'api|user|<hash>', same string each time
 */
export class StoreKeys {
  /** Subject or route text → its hash. */
  private readonly hashes = new Map<string, string>();
  /** Bucket prefix (with its route part) → identity → store key. */
  private readonly keys = new Map<string, Map<string, string>>();
  /** Key prefix of a bucket → route → prefix with its route part. */
  private readonly routes = new Map<string, Map<string, string>>();
  private count = 0;

  /** The identity part of a store key: the hash of `raw`, remembered by text for subjects only. */
  identity(kind: IdentityKind, raw: string): string {
    if (kind === 'secret') return hashKeyPart(raw);
    return this.hashOf(raw);
  }

  /** `${prefix}|${route part}`: a short route as it is, a long one (or one with `|`) hashed. */
  routePrefix(prefix: string, route: string): string {
    let byRoute = this.routes.get(prefix);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.routes.set(prefix, byRoute);
    }
    let full = byRoute.get(route);
    if (full === undefined) {
      if (this.full()) return this.routePrefix(prefix, route);
      full = `${prefix}|${route.length <= 64 && !route.includes('|') ? route : this.hashOf(route)}`;
      byRoute.set(route, full);
      this.count++;
    }
    return full;
  }

  /** `${prefix}|${identity}`, the same string for the same pair. */
  storeKey(prefix: string, identity: string): string {
    let byIdentity = this.keys.get(prefix);
    if (byIdentity === undefined) {
      byIdentity = new Map();
      this.keys.set(prefix, byIdentity);
    }
    let key = byIdentity.get(identity);
    if (key === undefined) {
      if (this.full()) return this.storeKey(prefix, identity);
      key = `${prefix}|${identity}`;
      byIdentity.set(identity, key);
      this.count++;
    }
    return key;
  }

  private hashOf(text: string): string {
    let hashed = this.hashes.get(text);
    if (hashed === undefined) {
      if (this.full()) return this.hashOf(text);
      hashed = hashKeyPart(text);
      this.hashes.set(text, hashed);
      this.count++;
    }
    return hashed;
  }

  /** At the bound, empty everything (and say so: the caller starts its lookup again on empty maps). */
  private full(): boolean {
    if (this.count < KEY_CACHE_MAX) return false;
    this.hashes.clear();
    this.keys.clear();
    this.routes.clear();
    this.count = 0;
    return true;
  }
}
