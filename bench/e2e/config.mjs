// Keys, token and policy shared by every e2e server and load generator of one run.
import { readFileSync } from 'node:fs';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT } from 'jose';

/** The signed-webhook route every bulwark variant adds (GitHub style); the deny case POSTs a bad signature. */
export const WEBHOOK_PATH = '/webhook';

/**
 * The POST every webhook case sends: a GitHub-style delivery whose X-Hub-Signature-256 is well-formed (64
 * lowercase hex digits, 32 bytes, so the HMAC is computed and compared) but not the body's MAC. The bulwark
 * variants refuse it (401 WEBHOOK_SIGNATURE_MISMATCH); `bare-post` reads its body and answers 200.
 */
export const WEBHOOK_REQUEST = Object.freeze({
  method: 'POST',
  path: WEBHOOK_PATH,
  headers: Object.freeze({
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/bench',
    'x-github-event': 'ping',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-hub-signature-256': `sha256=${'5a'.repeat(32)}`,
  }),
  body: JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }),
});

/** What `bare-post` answers: a small JSON, after reading the whole body as bytes. */
export const BARE_POST_BODY = Object.freeze({ received: true });

/**
 * The body of the refusal `bare-deny` answers with: bulwark's problem+json for the malformed-token 401, byte for
 * byte. e2e.mjs compares the floor's answer with the bulwark variant's before timing, so a change on either side
 * fails the run instead of drifting.
 */
export const DENY_BODY =
  '{"type":"https://bulwark.dev/errors/jwt-malformed","title":"Unauthorized","status":401,' +
  '"detail":"The bearer token is malformed.","code":"JWT_MALFORMED"}';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * The run's RS256 key pair: a fresh one (the default), or with BENCH_E2E_FIXED_KEY=1 the bench-only key
 * committed in bench-rs256-key.json. Generating an RSA key is a random search for primes whose cost varies by
 * gigainstructions from one run to the next, which drowned the per-request differences that callgrind runs of
 * the in-process tools look for; the committed key is public and signs nothing but bench tokens.
 */
async function keyPair() {
  if (process.env.BENCH_E2E_FIXED_KEY !== '1') return generateKeyPair('RS256', { extractable: true });
  const { comment: _, ...jwk } = JSON.parse(
    readFileSync(new URL('bench-rs256-key.json', import.meta.url), 'utf8'),
  );
  return {
    publicKey: await importJWK({ kty: jwk.kty, n: jwk.n, e: jwk.e }, 'RS256', { extractable: true }),
    privateKey: await importJWK({ ...jwk, alg: 'RS256' }, 'RS256'),
  };
}

/**
 * An RS256 key pair (keyPair), a token valid for 1 h (the verifier's default longest lifetime), and what the
 * servers need to verify it; `tokens` holds the refused ones of the deny cases (malformed, and an unsigned
 * `alg: none` token whose header and claims are otherwise those of the valid token). With the fixed key the token
 * is issued at the last whole 10 minutes, so runs within those 10 minutes send the very same bytes.
 */
export async function makeConfig() {
  const { publicKey, privateKey } = await keyPair();
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = process.env.BENCH_E2E_FIXED_KEY === '1' ? now - (now % 600) : now;
  const issuer = 'https://id.bench.example/';
  const audience = 'https://api.bench.example';
  const token = await new SignJWT({ scope: 'read' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench-1', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('user-1')
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 3600)
    .sign(privateKey);
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  const algNone = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
  return {
    server: {
      publicPem: await exportSPKI(publicKey),
      publicJwk: { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'RS256', use: 'sig' },
      issuer,
      audience,
      origin: 'https://app.bench.example',
      // Far above what a run can send: the limiter does its bookkeeping but never denies.
      limit: 1_000_000_000,
      // GitHub-style webhook route (POST /webhook) of the bulwark variants: X-Hub-Signature-256, HMAC-SHA256.
      webhookSecret: 'bench-webhook-secret-0123456789abcdef',
    },
    tokens: { malformed: 'not.a-valid.token', algNone },
    headers: {
      authorization: `Bearer ${token}`,
      origin: 'https://app.bench.example',
      accept: 'application/json',
    },
  };
}
