// Keys, token and policy shared by every e2e server and load generator of one run.
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';

/** The signed-webhook route every bulwark variant adds (GitHub style); the deny case POSTs a bad signature. */
export const WEBHOOK_PATH = '/webhook';

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
