import {
  allowsHttp,
  fetchJsonObject,
  isSafeKeyUrl,
  KeyFetchError,
  type KeyFetchOptions,
} from './fetch-json.js';

/**
 * `<issuer>/.well-known/openid-configuration` (OIDC Discovery §4), the issuer's trailing slashes dropped.
 *
 * @example
 * discoveryUrl('https://id.example.com/') // URL('https://id.example.com/.well-known/openid-configuration')
 */
export function discoveryUrl(issuer: string): URL {
  // A loop, not /\/+$/: that regex retries at every slash of a run (quadratic), see regex-inventory.test.ts.
  let end = issuer.length;
  while (end > 0 && issuer.charCodeAt(end - 1) === 47 /* / */) end--;
  return new URL(`${issuer.slice(0, end)}/.well-known/openid-configuration`);
}

/**
 * Fetch and check an issuer's discovery document: the one discovery of bulwark, for access-token key
 * sets (`discovery: true`) and the OIDC client alike. Under the provider fetch rules (timeout, size cap,
 * no redirects, JSON content type, no repeated members), the document must name exactly the configured
 * issuer (OIDC Discovery §4.3: otherwise one provider could speak for another) and an https `jwks_uri`.
 * Rejects with {@link KeyFetchError}.
 *
 * @example
 * const doc = await fetchDiscovery('https://id.example.com', {});
 * doc.jwks_uri // 'https://id.example.com/jwks'
 */
export async function fetchDiscovery(
  issuer: string,
  options: KeyFetchOptions,
): Promise<Record<string, unknown> & { readonly issuer: string; readonly jwks_uri: string }> {
  const doc = await fetchJsonObject(discoveryUrl(issuer), options);
  if (doc.issuer !== issuer) {
    throw new KeyFetchError(
      `discovery document names issuer ${JSON.stringify(String(doc.issuer).slice(0, 200))}, not ${issuer}`,
    );
  }
  if (typeof doc.jwks_uri !== 'string') throw new KeyFetchError('discovery document has no jwks_uri');
  let jwks: URL;
  try {
    jwks = new URL(doc.jwks_uri);
  } catch {
    throw new KeyFetchError('discovery jwks_uri is not a URL');
  }
  if (!isSafeKeyUrl(jwks, allowsHttp(options))) throw new KeyFetchError('discovery jwks_uri is not https');
  return doc as Record<string, unknown> & { issuer: string; jwks_uri: string };
}

/**
 * Find an issuer's JWKS URL through {@link fetchDiscovery}. The URL is fetched once and remembered; a
 * failure is retried on the next call (the JWKS cooldown bounds how often that is).
 *
 * @example
 * const jwksUrl = discoverJwksUri('https://id.example.com', {});
 * await jwksUrl(); // URL('https://id.example.com/.well-known/jwks.json')
 */
export function discoverJwksUri(issuer: string, options: KeyFetchOptions): () => Promise<URL> {
  let found: URL | undefined;
  let pending: Promise<URL> | undefined;
  return () => {
    if (found !== undefined) return Promise.resolve(found);
    pending ??= fetchDiscovery(issuer, options)
      .then((doc) => {
        found = new URL(doc.jwks_uri);
        return found;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
