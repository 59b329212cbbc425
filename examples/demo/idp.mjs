import { createServer } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';

/**
 * A stand-in identity provider for the tour: an RS256 key pair and its JWKS served on 127.0.0.1.
 * The API under attack fetches keys from it exactly as it would from a real IdP.
 */
export async function startIdp() {
  const { publicKey, privateKey } = await generateKeyPair('RS256', {
    modulusLength: 2048,
    extractable: true,
  });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'tour-1', alg: 'RS256', use: 'sig' };
  let down = false;
  const server = createServer((req, res) => {
    if (down) {
      res.writeHead(503).end();
    } else if (req.url === '/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const issuer = `${origin}/`;
  const audience = 'https://orders.example.com';
  return {
    issuer,
    audience,
    jwksUri: `${origin}/jwks.json`,
    publicPem: await exportSPKI(publicKey),
    privateKey,
    async mint({
      sub = 'alice',
      expiresIn = 300,
      audience: aud = audience,
      issuer: iss = issuer,
      claims = {},
      jkt,
    } = {}) {
      const now = Math.floor(Date.now() / 1000);
      // With jkt (the RFC 7638 thumbprint of the client's key) the token is DPoP-bound (RFC 9449 §6).
      const cnf = jkt === undefined ? {} : { cnf: { jkt } };
      return new SignJWT({ scope: 'orders:read orders:write', ...cnf, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'tour-1', typ: 'at+jwt' })
        .setSubject(sub)
        .setIssuer(iss)
        .setAudience(aud)
        .setIssuedAt(now)
        .setJti(crypto.randomUUID())
        .setExpirationTime(now + expiresIn)
        .sign(privateKey);
    },
    /** An outage: every request to the IdP answers 503 until it is set back. */
    setDown(value) {
      down = value;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
