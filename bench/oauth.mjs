// OAuth building blocks per call: state verification (bulwark's session-bound HMAC state against the bare
// node:crypto floor), PKCE pair creation against oauth4webapi, an authorization-code callback with ID Token
// validation against oauth4webapi's protocol steps and a bare jose jwtVerify (the crypto floor), redirect_uri
// matching (exact, canonical) against the naive startsWith it replaces, and a refresh-token rotation on the
// memory store.
// Contract: see bench/README.md.
// Groups are timed on process CPU time (clock: 'cpu'): no case waits on I/O, and WebCrypto's work on the
// thread pool is process CPU time too. On a shared machine at a load of 40+ the wall clock measured the
// scheduler more than the code.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compare, ensure } from './lib/micro.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * bulwark's ID Token validation step (`createIdTokenChecker`, what `handleCallback` and `refresh` call once
 * the token response is read) is internal: no public export runs it without a token request. esbuild
 * bundles that very source module (node conditions, so the node:crypto back end) for this benchmark only.
 */
async function loadIdTokenStep() {
  const { build } = await import('esbuild');
  const outfile = join(root, '.bench-tmp', 'bench-id-token-step.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, 'packages/core/src/oauth/id-token-keys.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    conditions: ['bulwark-source', 'node'],
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}

export const title = 'OAuth 2 / OIDC building blocks';
export const peers = ['oauth4webapi', 'jose'];

export async function run({ smoke }) {
  const core = await import('@bulwark/core');
  const oauth = await import('oauth4webapi');
  const { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } = await import('jose');
  const rows = [];
  const notes = [];

  // State: issue once, verify many times (no replay store: the store is measured in bench/redis.mjs).
  const secret = randomBytes(32).toString('base64url');
  const states = core.createStateCodec({ secret });
  const state = await states.issue('session-1');
  const floorKey = randomBytes(32);
  const floorData = `1|${Date.now().toString(36)}|nonce|session-1`;
  const floorMac = createHmac('sha256', floorKey).update(floorData).digest();
  rows.push(
    ...(await compare(
      'state verify',
      {
        bulwark: () => states.verify(state, 'session-1'),
        'node:crypto HMAC floor': () =>
          timingSafeEqual(createHmac('sha256', floorKey).update(floorData).digest(), floorMac),
      },
      { smoke, clock: 'cpu', check: (name, r) => ensure(r === true || r?.ok === true, `${name} verified`) },
    )),
  );

  rows.push(
    ...(await compare(
      'PKCE pair (S256)',
      {
        bulwark: () => core.createPkcePair(),
        oauth4webapi: async () => {
          const verifier = oauth.generateRandomCodeVerifier();
          return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
        },
      },
      {
        smoke,
        clock: 'cpu',
        check: (name, r) =>
          ensure(typeof r.challenge === 'string' && r.challenge.length === 43, `${name} pair`),
      },
    )),
  );

  // ID Token, two comparisons. (1) The validation step alone: the ID Token of a token response checked by
  // bulwark's checker (signature with the provider's key set, then every OIDC Core §3.1.3.7 check: iss, aud,
  // azp, exp, iat age, sub, nonce, at_hash, auth_time against max_age, no at+jwt/logout+jwt typ) against
  // jose jwtVerify told the same claim rules, plus by hand what jose has no option for (nonce, azp,
  // at_hash, auth_time, typ). (2) One whole authorization-code callback with an RS256 ID Token, from the
  // token request to verified claims, each library fed by the same in-memory provider (no network): bulwark's handleCallback (state,
  // iss, code exchange, the shared JSON/JWT pipeline and key set); oauth4webapi's validateAuthResponse +
  // authorizationCodeGrantRequest + processAuthorizationCodeResponse + validateApplicationLevelSignature
  // (the signature check is separate and optional there); and jose's jwtVerify alone on the same token,
  // which does no token request at all: not the same work, shown for scale.
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const jwks = createLocalJWKSet({ keys: [jwk] });
  const issuer = 'https://id.example.com';
  const now = Math.floor(Date.now() / 1000);
  const accessToken = randomBytes(32).toString('base64url');
  const idToken = await new SignJWT({
    nonce: 'n-1',
    at_hash: await core.tokenHash('RS256', accessToken),
    auth_time: now - 10,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(issuer)
    .setAudience('web')
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    code_challenge_methods_supported: ['S256'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
  const bodies = {
    '/.well-known/openid-configuration': JSON.stringify(metadata),
    '/jwks': JSON.stringify({ keys: [jwk] }),
    '/token': JSON.stringify({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    }),
  };
  const provider = async (input) =>
    new Response(bodies[new URL(String(input)).pathname], {
      headers: { 'content-type': 'application/json' },
    });
  const redirectUri = 'https://app.example.com/cb';
  const oidc = core.createOidcClient({
    issuer,
    clientId: 'web',
    clientSecret: 'secret',
    redirectUri,
    scopes: ['openid'],
    maxAgeSeconds: 3600,
    fetch: provider,
  });
  const expected = { state: 'state-1', nonce: 'n-1', codeVerifier: 'v'.repeat(43) };
  const callback = new URLSearchParams({ state: 'state-1', code: 'code-1', iss: issuer });
  const as = metadata;
  const client = { client_id: 'web' };
  const auth = oauth.ClientSecretBasic('secret');
  const jwksCache = {};
  const callbackUrl = new URL(`${redirectUri}?${callback}`);
  const { createIdTokenChecker } = await loadIdTokenStep();
  const idTokens = createIdTokenChecker({
    issuer,
    clientId: 'web',
    algorithms: ['RS256'],
    http: { fetch: provider, timeoutMs: 5000, maxBytes: 65_536 },
    clockToleranceSeconds: 5,
    now: Date.now,
    onEvent: undefined,
  });
  const idTokenExpect = { nonce: 'n-1', accessToken, maxAgeSeconds: 3600 };
  const idTypes = /^(application\/)?(at|logout|secevent)\+jwt$/i;
  const joseStep = async () => {
    const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
      issuer,
      audience: 'web',
      algorithms: ['RS256'],
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      maxTokenAge: 600,
      clockTolerance: 5,
    });
    const typ = protectedHeader.typ;
    if (typeof typ === 'string' && idTypes.test(typ)) throw new Error('not an ID Token');
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp === undefined) {
      throw new Error('several audiences, no azp');
    }
    if (payload.azp !== undefined && payload.azp !== 'web') throw new Error('azp');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('sub');
    if (payload.nonce !== 'n-1') throw new Error('nonce');
    if (payload.at_hash !== undefined) {
      const half = createHash('sha256').update(accessToken).digest().subarray(0, 16);
      if (payload.at_hash !== half.toString('base64url')) throw new Error('at_hash');
    }
    const authTime = payload.auth_time;
    const nowSeconds = Date.now() / 1000;
    if (typeof authTime !== 'number' || !Number.isFinite(authTime)) throw new Error('auth_time');
    if (authTime > nowSeconds + 5 || nowSeconds - authTime > 3600 + 5) throw new Error('auth_time');
    return payload;
  };
  const meta = (await oidc.metadata()).value;
  rows.push(
    ...(await compare(
      'ID Token validation step (RS256: signature + OIDC claim checks)',
      {
        bulwark: () => idTokens.check(meta, idToken, idTokenExpect),
        'jose jwtVerify + the same checks by hand (nonce, azp, at_hash, auth_time, typ)': joseStep,
      },
      {
        smoke,
        clock: 'cpu',
        check: (name, r) => ensure(r?.sub === 'alice' && r.nonce === 'n-1', `${name} valid`),
      },
    )),
  );
  rows.push(
    ...(await compare(
      'ID Token: callback to verified claims (RS256)',
      {
        bulwark: () => oidc.handleCallback(callback, expected),
        'oauth4webapi (+ validateApplicationLevelSignature)': async () => {
          const params = oauth.validateAuthResponse(as, client, callbackUrl, 'state-1');
          const response = await oauth.authorizationCodeGrantRequest(
            as,
            client,
            auth,
            params,
            redirectUri,
            expected.codeVerifier,
            {
              [oauth.customFetch]: provider,
            },
          );
          const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
            expectedNonce: 'n-1',
            maxAge: 3600,
          });
          await oauth.validateApplicationLevelSignature(as, response, {
            [oauth.customFetch]: provider,
            [oauth.jwksCache]: jwksCache,
          });
          return oauth.getValidatedIdTokenClaims(result);
        },
        'jose jwtVerify alone (signature, iss, aud, exp; no token request)': () =>
          jwtVerify(idToken, jwks, { issuer, audience: 'web', algorithms: ['RS256'] }),
      },
      {
        smoke,
        // In memory, no I/O wait: process CPU time (all threads, so WebCrypto's thread pool counts too)
        // is far steadier than wall time on a shared machine.
        clock: 'cpu',
        check: (name, r) =>
          ensure(
            r?.value?.claims?.sub === 'alice' || r?.sub === 'alice' || r?.payload?.sub === 'alice',
            `${name} valid`,
          ),
      },
    )),
  );
  notes.push(
    'ID Token: bulwark runs the callback through its one JWT/JSON pipeline (duplicate members refused, key bound to one algorithm, at_hash, auth_time not in the future); oauth4webapi parses with response.json() (duplicates: last wins), checks the JWKS content type only when the body fails to parse, lets a key without alg serve RS256 and PS256, and verifies the signature only through validateApplicationLevelSignature, included here for parity.',
  );

  const registered = 'https://app.example.com/callback';
  const matcher = core.createRedirectUriMatcher([registered]);
  const attack = 'https://app.example.com/callback/../evil';
  rows.push(
    ...(await compare(
      'redirect_uri match',
      {
        'bulwark allow': () => matcher.match(registered),
        'bulwark deny (dot segments)': () => matcher.match(attack),
        'naive startsWith (accepts the attack)': () => attack.startsWith(registered),
      },
      {
        smoke,
        check: (name, r) =>
          ensure(name.includes('deny') ? r.ok === false : name.includes('naive') ? r === true : r.ok, name),
      },
    )),
  );

  const store = core.createMemoryRefreshTokenStore({ maxEntries: 1_000_000 });
  const rotator = core.createRefreshTokenRotator({ store });
  let current = (await rotator.issue('alice', 'web')).token;
  rows.push(
    ...(await compare(
      'refresh-token rotation (memory store)',
      {
        bulwark: async () => {
          const v = await rotator.rotate(current, 'web');
          if (v.ok) current = v.value.token;
          return v;
        },
      },
      { smoke, check: (name, r) => ensure(r.ok === true, `${name} rotated`) },
    )),
  );
  notes.push(
    'Rotation includes four SHA-256 digests (family id, presented and new token, the seal of the successor) and 32 random bytes.',
  );
  return { rows, notes };
}
