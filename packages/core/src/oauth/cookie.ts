/** Attributes of a cookie set by bulwark. Defaults are the strict ones. */
export interface CookieAttributes {
  /** Seconds; 0 deletes the cookie. */
  readonly maxAgeSeconds: number;
  /** Default '/'. */
  readonly path?: string;
  /** Default true. Only a loudly named development opt-in turns it off. */
  readonly secure?: boolean;
  /** Default 'Lax': sent on the top-level redirect back from the identity provider, not on cross-site POSTs. */
  readonly sameSite?: 'Lax' | 'Strict';
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[!#-+\--:<-[\]-~]*$/;

/**
 * Serialise a `Set-Cookie` header value: always HttpOnly, Secure unless disabled, SameSite=Lax by default.
 *
 * @example
 * serializeCookie('__Host-bulwark-login', value, { maxAgeSeconds: 600 })
 * // '__Host-bulwark-login=…; Path=/; Max-Age=600; HttpOnly; Secure; SameSite=Lax'
 */
export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  if (!NAME.test(name)) throw new TypeError('invalid cookie name');
  if (!VALUE.test(value)) throw new TypeError('invalid cookie value');
  const parts = [
    `${name}=${value}`,
    `Path=${attributes.path ?? '/'}`,
    `Max-Age=${Math.floor(attributes.maxAgeSeconds)}`,
    'HttpOnly',
  ];
  if (attributes.secure !== false) parts.push('Secure');
  parts.push(`SameSite=${attributes.sameSite ?? 'Lax'}`);
  return parts.join('; ');
}

/**
 * Every value of cookie `name` in a `Cookie` request header (several when a cookie was planted for a
 * parent domain or another path, which callers should treat as suspicious).
 *
 * @example
 * readCookies('a=1; b=2; a=3', 'a') // ['1', '3']
 */
export function readCookies(header: string | undefined, name: string): string[] {
  if (header === undefined || header === '') return [];
  const out: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim() === name) out.push(pair.slice(eq + 1).trim());
  }
  return out;
}
