import type { CheckContext } from './context.js';
import type { DecodedToken } from './jwt-forge.js';

/** The issuer's public keys (JWK objects) and where they came from, or why there are none. */
export interface IssuerKeys {
  readonly keys: readonly Record<string, unknown>[];
  readonly source: string;
  readonly why: string;
}

const none = (why: string): IssuerKeys => ({ keys: [], source: '', why });

async function getJson(ctx: CheckContext, url: URL): Promise<unknown> {
  const res = await ctx.client.send({ method: 'GET', url, omitHeaders: ['authorization', 'cookie'] });
  if (res.status !== 200) return undefined;
  try {
    return JSON.parse(res.text());
  } catch {
    return undefined;
  }
}

/**
 * Fetch the issuer's public keys: `--jwks`, else the token's `iss` discovery document
 * (`/.well-known/openid-configuration` → `jwks_uri`), else `iss/.well-known/jwks.json` — only from hosts the
 * user named. Keys matching the token's `kid` come first; at most three are used.
 *
 * @example
 * const { keys, why } = await issuerKeys(ctx, decoded);
 */
export async function issuerKeys(ctx: CheckContext, token: DecodedToken): Promise<IssuerKeys> {
  let jwksUrl: URL | undefined;
  if (ctx.options.jwksUrl !== undefined) jwksUrl = new URL(ctx.options.jwksUrl);
  else {
    const iss = token.payload.iss;
    let issuer: URL;
    try {
      issuer = new URL(String(iss));
    } catch {
      return none('the token has no URL issuer (iss) to discover keys from; pass --jwks <url>');
    }
    if (!ctx.client.isAllowed(issuer)) {
      return none(
        `the issuer ${issuer.host} is not a host you named; add --allow-host ${issuer.hostname} or pass --jwks <url>`,
      );
    }
    const root = issuer.href.replace(/\/$/, '');
    const discovery = (await getJson(ctx, new URL(`${root}/.well-known/openid-configuration`))) as
      | { jwks_uri?: unknown }
      | undefined;
    if (typeof discovery?.jwks_uri === 'string') {
      try {
        jwksUrl = new URL(discovery.jwks_uri);
      } catch {
        return none(`the discovery document of ${root} has an invalid jwks_uri`);
      }
    } else jwksUrl = new URL(`${root}/.well-known/jwks.json`);
  }
  if (!ctx.client.isAllowed(jwksUrl)) {
    return none(
      `the JWKS host ${jwksUrl.host} is not a host you named; add --allow-host ${jwksUrl.hostname}`,
    );
  }
  const set = (await getJson(ctx, jwksUrl)) as { keys?: unknown } | undefined;
  const keys = Array.isArray(set?.keys)
    ? set.keys.filter(
        (k): k is Record<string, unknown> =>
          k !== null && typeof k === 'object' && (k.kty === 'RSA' || k.kty === 'EC'),
      )
    : [];
  if (keys.length === 0) return none(`no RSA or EC key found at ${jwksUrl.href} (pass --jwks <url>)`);
  const kid = token.header.kid;
  const ordered = [...keys.filter((k) => k.kid === kid), ...keys.filter((k) => k.kid !== kid)];
  return { keys: ordered.slice(0, 3), source: jwksUrl.href, why: '' };
}
