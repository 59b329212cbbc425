// Keys, token and policy shared by every e2e server and load generator of one run.
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';

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
 * A fresh RS256 key pair, a token valid for 1 h (the verifier's default longest lifetime), and what the servers
 * need to verify it; `tokens` holds the refused ones of the deny cases (malformed, and an unsigned `alg: none`
 * token whose header and claims are otherwise those of the valid token).
 */
export async function makeConfig() {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const issuer = 'https://id.bench.example/';
  const audience = 'https://api.bench.example';
  const token = await new SignJWT({ scope: 'read' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench-1', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime('1h')
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
