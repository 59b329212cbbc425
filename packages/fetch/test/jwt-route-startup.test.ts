import { describeJwtRouteStartup } from '../../core/test/jwt-route-startup.js';
import { createJwtVerifier, protect } from '../src/index.js';

describeJwtRouteStartup('protect', createJwtVerifier, (verifier, route) =>
  protect(async () => new Response('ok'), { jwt: { verifier, ...route } }),
);
