// Smoke app: @bulwark/express as installed from its tarball. Compiled by tsc to ESM and to CommonJS.
import express from 'express';
import { createJwtVerifier, requireJwt, securityHeaders } from '@bulwark/express';

const env = (name: string): string => process.env[name] ?? `missing ${name}`;
const jwt = createJwtVerifier({
  algorithms: ['RS256'],
  issuer: env('ISSUER'),
  audience: env('AUDIENCE'),
  jwksUri: env('JWKS_URI'),
});

const app = express();
app.use(securityHeaders());
app.get('/health', (_req, res) => {
  res.json({ ok: true });
});
app.get('/orders', requireJwt(jwt, { scopes: ['orders:read'] }), (req, res) => {
  const user: string | undefined = req.auth?.sub;
  res.json({ user });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
});
