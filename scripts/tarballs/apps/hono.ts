// Smoke app: @bulwark/hono as installed from its tarball, served on node by @hono/node-server.
// Compiled by tsc to ESM and to CommonJS.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createJwtVerifier, requireJwt, securityHeaders } from '@bulwark/hono';

const env = (name: string): string => process.env[name] ?? `missing ${name}`;
const jwt = createJwtVerifier({
  algorithms: ['RS256'],
  issuer: env('ISSUER'),
  audience: env('AUDIENCE'),
  jwksUri: env('JWKS_URI'),
});

const app = new Hono();
app.use(securityHeaders());
app.get('/health', (c) => c.json({ ok: true }));
app.get('/orders', requireJwt(jwt, { scopes: ['orders:read'] }), (c) => {
  const user: string | undefined = c.var.claims.sub;
  return c.json({ user });
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  console.log(`listening ${info.port}`);
});
