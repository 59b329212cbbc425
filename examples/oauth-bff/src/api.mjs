import { requireJwt } from '@bulwark/express';
import express from 'express';

/**
 * The orders API the BFF calls: it only accepts the provider's JWT access tokens (typ at+jwt, RFC 9068)
 * minted for its audience.
 */
export function createApi({ issuer, audience }) {
  const app = express();
  app.disable('x-powered-by');
  const auth = requireJwt({
    algorithms: ['RS256'],
    issuer,
    audience,
    typ: 'at+jwt',
    jwksUri: `${issuer}/jwks`,
  });
  app.get('/orders', auth, (req, res) => {
    res.json({ user: req.auth.sub, scope: req.auth.scope, orders: [{ id: 'o-1', total: 42 }] });
  });
  return app;
}
