// Smoke app: @bulwark/fetch as installed from its tarball, served on node through @bulwark/fetch/node.
// Compiled by tsc to ESM and to CommonJS.
import { createServer } from 'node:http';
import { protect, securityHeaders } from '@bulwark/fetch';
import { toNodeListener } from '@bulwark/fetch/node';

const env = (name: string): string => process.env[name] ?? `missing ${name}`;
const orders = protect(
  async (_request, { claims }) => {
    const user: string | undefined = claims?.sub;
    return Response.json({ user });
  },
  {
    jwt: {
      verifier: {
        algorithms: ['RS256'],
        issuer: env('ISSUER'),
        audience: env('AUDIENCE'),
        jwksUri: env('JWKS_URI'),
      },
      scopes: ['orders:read'],
    },
  },
);
const app = securityHeaders(async (request, info) =>
  new URL(request.url).pathname === '/orders' ? orders(request, info) : Response.json({ ok: true }),
);
const server = createServer(toNodeListener(app)).listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
});
