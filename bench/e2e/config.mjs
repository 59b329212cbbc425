// Keys, token and policy shared by every e2e server and load generator of one run.
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';

/** A fresh RS256 key pair, a token valid for 1 h (the verifier's default longest lifetime), and what the servers need to verify it. */
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
  return {
    server: {
      publicPem: await exportSPKI(publicKey),
      publicJwk: { ...(await exportJWK(publicKey)), kid: 'bench-1', alg: 'RS256', use: 'sig' },
      issuer,
      audience,
      origin: 'https://app.bench.example',
      // Far above what a run can send: the limiter does its bookkeeping but never denies.
      limit: 1_000_000_000,
    },
    headers: {
      authorization: `Bearer ${token}`,
      origin: 'https://app.bench.example',
      accept: 'application/json',
    },
  };
}
