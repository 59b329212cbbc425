import { fetchJsonObject, isSafeKeyUrl, KeyFetchError, type KeyFetchOptions } from './fetch-json.js';

/**
 * Find an issuer's JWKS URL through OpenID Connect Discovery (`<issuer>/.well-known/openid-configuration`).
 * The document must name exactly the configured issuer (OIDC Discovery §4.3), so a document served for
 * another issuer is refused, and its `jwks_uri` must be https. The URL is fetched once and remembered;
 * a failure is retried on the next call (the JWKS cooldown bounds how often that is).
 *
 * @example
 * const jwksUrl = discoverJwksUri('https://id.example.com', {});
 * await jwksUrl(); // URL('https://id.example.com/.well-known/jwks.json')
 */
export function discoverJwksUri(issuer: string, options: KeyFetchOptions): () => Promise<URL> {
  // A loop, not /\/+$/: that regex retries at every slash of a run (quadratic), see regex-inventory.test.ts.
  let end = issuer.length;
  while (end > 0 && issuer.charCodeAt(end - 1) === 47 /* / */) end--;
  const url = new URL(`${issuer.slice(0, end)}/.well-known/openid-configuration`);
  let found: URL | undefined;
  let pending: Promise<URL> | undefined;
  return () => {
    if (found !== undefined) return Promise.resolve(found);
    pending ??= fetchJsonObject(url, options)
      .then((doc) => {
        if (doc.issuer !== issuer) {
          throw new KeyFetchError(
            `discovery document names issuer ${JSON.stringify(doc.issuer)}, not ${issuer}`,
          );
        }
        if (typeof doc.jwks_uri !== 'string') throw new KeyFetchError('discovery document has no jwks_uri');
        let jwks: URL;
        try {
          jwks = new URL(doc.jwks_uri);
        } catch {
          throw new KeyFetchError('discovery jwks_uri is not a URL');
        }
        if (!isSafeKeyUrl(jwks)) throw new KeyFetchError('discovery jwks_uri is not https');
        found = jwks;
        return jwks;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
