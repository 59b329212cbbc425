// express 5: bare route, static-headers (bare plus bulwark-nojwt's response headers as constants, set by one
// middleware), bare-deny (every request answered by one middleware, res.writeHead + end, with the bytes of
// bulwark's 401 for a malformed token), bare-error (the same bytes, the refusal handed to express's error
// pipeline: next(error) from the first middleware, an error middleware writing them), bare-post (bare plus a POST /webhook route reading its body with
// express.raw), peer stack (helmet + cors + express-rate-limit + express-jwt), bulwark stack.
import express from 'express';
import {
  BARE_POST_BODY,
  DENY_BODY,
  denyHeaderPairs,
  FloorDenial,
  staticHeaderPairs,
  WEBHOOK_PATH,
} from '../bulwark-common.mjs';
import { bulwarkStack } from '../bulwark-express.mjs';

const BODY = { hello: 'world' };

async function peerStack(app, c) {
  const { default: helmet } = await import('helmet');
  const { default: cors } = await import('cors');
  const { rateLimit } = await import('express-rate-limit');
  const { expressjwt } = await import('express-jwt');
  app.use(helmet());
  app.use(cors({ origin: c.origin }));
  app.use(rateLimit({ windowMs: 60_000, limit: c.limit, standardHeaders: 'draft-8', legacyHeaders: false }));
  app.use(expressjwt({ secret: c.publicPem, algorithms: ['RS256'], issuer: c.issuer, audience: c.audience }));
}

/** Build the app for `variant` and listen on 127.0.0.1:0; resolves to the port. */
export async function listen(variant, c) {
  const app = express();
  app.disable('x-powered-by');
  if (variant === 'peer') await peerStack(app, c);
  else if (variant === 'static-headers') {
    const pairs = staticHeaderPairs(c);
    app.use((_req, res, next) => {
      for (const [name, value] of pairs) res.setHeader(name, value);
      next();
    });
  } else if (variant === 'bare-deny') {
    // The floor of answering a refusal: its status, headers and body as constants, before any route.
    const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json', true));
    app.use((_req, res) => {
      res.writeHead(401, headers);
      res.end(DENY_BODY);
    });
  } else if (variant === 'bare-error') {
    // The floor of a refusal that travels express's error pipeline: next(error) with a stackless Error, then
    // the app's error middleware writing bare-deny's constants. (bulwark's express middleware answers a
    // refusal itself, as bare-deny does; this is for comparison with the frameworks whose denials do not.)
    const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json', true));
    app.use((_req, _res, next) => {
      next(FloorDenial.make());
    });
    app.use((error, _req, res, _next) => {
      res.writeHead(error.status, headers);
      res.end(DENY_BODY);
    });
  } else if (variant === 'bare-post') {
    // The floor of a webhook refusal: the same POST, its body read as bytes by express's own raw parser.
    app.post(WEBHOOK_PATH, express.raw({ type: () => true }), (_req, res) => {
      res.json(BARE_POST_BODY);
    });
  } else if (variant !== 'bare') await bulwarkStack(app, variant, c);
  app.get('/json', (_req, res) => {
    res.json(BODY);
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}
