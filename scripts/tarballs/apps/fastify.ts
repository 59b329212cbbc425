// Smoke app: @bulwark/fastify as installed from its tarball. Compiled by tsc to ESM and to CommonJS.
import Fastify from 'fastify';
import { bulwark, createJwtVerifier, requireJwt } from '@bulwark/fastify';

const env = (name: string): string => process.env[name] ?? `missing ${name}`;
const jwt = createJwtVerifier({
  algorithms: ['RS256'],
  issuer: env('ISSUER'),
  audience: env('AUDIENCE'),
  jwksUri: env('JWKS_URI'),
});

async function start(): Promise<void> {
  const app = Fastify();
  await app.register(bulwark, {}); // security headers are on by default
  app.get('/health', async () => ({ ok: true }));
  app.get('/orders', { preHandler: requireJwt(jwt, { scopes: ['orders:read'] }) }, async (request) => {
    const user: string | undefined = request.auth?.sub;
    return { user };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
}
start().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
