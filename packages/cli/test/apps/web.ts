/**
 * Apps built the way users build them today, with the peers they use (express, cors, helmet), each with
 * its misconfigurations planted, and their hardened twins on @bulwark/express.
 */
import { cors as bulwarkCors, securityHeaders } from '@bulwark/express';
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';

export const APP_ORIGIN = 'https://app.example.com';

const orders = (_req: express.Request, res: express.Response) => {
  res.json({ orders: [{ id: 'o-1', total: 42 }] });
};

/** express + `cors({ origin: true, credentials: true })`, no helmet: the most common setup there is. */
export function reflectingApp(): express.Express {
  const app = express();
  app.use(cors({ origin: true, credentials: true, maxAge: 86_401 }));
  app.get('/orders', orders);
  return app;
}

/** A suffix check on the origin (endsWith without the dot), plus helmet with the defaults. */
export function suffixApp(): express.Express {
  const app = express();
  app.use(helmet());
  app.use(
    cors({
      origin: (origin, cb) => cb(null, origin?.endsWith('example.com') === true),
      credentials: true,
    }),
  );
  app.get('/orders', orders);
  return app;
}

/** An unanchored regex with unescaped dots, `null` allowed, and a hand-written CSP with 'unsafe-inline'. */
export function regexApp(): express.Express {
  const app = express();
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { scriptSrc: ["'self'", "'unsafe-inline'"], frameAncestors: null },
      },
      frameguard: false,
      strictTransportSecurity: { maxAge: 300, includeSubDomains: false, preload: true },
    }),
  );
  app.use(cors({ origin: [/https:\/\/app.example.com/, 'null'], credentials: true }));
  app.use((_req, res, next) => {
    res.cookie('sid', 'session-value');
    next();
  });
  app.get('/orders', orders);
  return app;
}

/** The hardened twin: @bulwark/express security headers and exact-origin CORS. */
export function hardenedApp(): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.use(bulwarkCors({ origins: [APP_ORIGIN], credentials: true }));
  app.use((_req, res, next) => {
    res.cookie('__Host-sid', 'session-value', { secure: true, httpOnly: true, sameSite: 'lax', path: '/' });
    next();
  });
  app.get('/orders', orders);
  return app;
}
