// OAuth building blocks per call: state verification (bulwark's session-bound HMAC state against the bare
// node:crypto floor), PKCE pair creation against oauth4webapi, ID Token validation against a bare jose
// jwtVerify (the crypto floor of the same checks), redirect_uri matching (exact, canonical) against the
// naive startsWith it replaces, and a refresh-token rotation on the memory store.
// Contract: see bench/README.md.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { compare, ensure } from './lib/micro.mjs';

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
      { smoke, check: (name, r) => ensure(r === true || r?.ok === true, `${name} verified`) },
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
        check: (name, r) =>
          ensure(typeof r.challenge === 'string' && r.challenge.length === 43, `${name} pair`),
      },
    )),
  );

  // ID Token: the same RS256 token, bulwark's full OIDC Core 3.1.3.7 validation vs jose's jwtVerify alone.
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] });
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
  const expect = {
    issuer,
    clientId: 'web',
    algorithms: ['RS256'],
    nonce: 'n-1',
    accessToken,
    maxAge: 3600,
    clockTolerance: 5,
    now: Date.now,
  };
  rows.push(
    ...(await compare(
      'ID Token validation (RS256)',
      {
        bulwark: () => core.validateIdToken(idToken, jwks, expect),
        'jose jwtVerify (signature, iss, aud, exp only)': () =>
          jwtVerify(idToken, jwks, { issuer, audience: 'web', algorithms: ['RS256'] }),
      },
      {
        smoke,
        check: (name, r) => ensure(r?.sub === 'alice' || r?.payload?.sub === 'alice', `${name} valid`),
      },
    )),
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
