/**
 * JWT routes as users write them with the peers they have (jsonwebtoken, jws, jose, express-jwt), each with
 * one planted mistake, and the hardened twin on @bulwark/express. One express app, one route per mistake.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireJwt, securityHeaders } from '@bulwark/express';
import express from 'express';
import { expressjwt } from 'express-jwt';
import {
  createRemoteJWKSet,
  EmbeddedJWK,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importX509,
  jwtVerify,
  SignJWT,
} from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import jws from 'jws';
import { listen, type Running } from '../helpers.js';

export const AUDIENCE = 'https://orders.example.com';

/** A stand-in identity provider: an RS256 key and its JWKS at /jwks.json (no discovery document). */
export async function startIssuer(): Promise<
  Running & { issuer: string; jwksUri: string; publicPem: string; mint(expiresIn?: number): Promise<string> }
> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
  const server = await listen((req, res) => {
    if (req.url === '/jwks.json')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end();
  });
  const issuer = `${server.url}/`;
  return {
    ...server,
    issuer,
    jwksUri: `${server.url}/jwks.json`,
    publicPem: await exportSPKI(publicKey),
    mint: (expiresIn = 300) =>
      new SignJWT({ scope: 'orders:read' })
        .setProtectedHeader({ alg: 'RS256', kid: 'idp-1', typ: 'JWT' })
        .setSubject('alice')
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${expiresIn}s`)
        .sign(privateKey),
  };
}

const bearer = (req: express.Request) => /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
const orders = (res: express.Response, sub: unknown) => res.json({ user: sub, orders: [{ id: 'o-1' }] });

export function jwtApp(idp: { issuer: string; jwksUri: string; publicPem: string }): express.Express {
  const app = express();
  app.disable('x-powered-by');

  // jws with the algorithm taken from the token: no allowlist. Accepts alg none and HS256 keyed with the PEM.
  app.get('/jws/orders', (req, res) => {
    const token = bearer(req);
    const header = token ? jws.decode(token)?.header : undefined;
    if (!token || !header || !jws.verify(token, header.alg, idp.publicPem))
      return void res.status(401).json({ error: 'unauthorized' });
    orders(res, jws.decode(token)?.payload);
  });

  // jsonwebtoken.decode used as if it verified: accepts anything.
  app.get('/decode/orders', (req, res) => {
    const claims = jsonwebtoken.decode(bearer(req) ?? '') as { sub?: string } | null;
    if (!claims?.sub) return void res.status(401).json({ error: 'unauthorized' });
    orders(res, claims.sub);
  });

  // jsonwebtoken.verify with a key and no algorithms list. jsonwebtoken 9 infers RS* from the key type, so
  // none of the forgeries pass: the audit must report none.
  app.get('/jsonwebtoken/orders', (req, res) => {
    try {
      orders(res, (jsonwebtoken.verify(bearer(req) ?? '', idp.publicPem) as { sub: string }).sub);
    } catch {
      res.status(401).json({ error: 'unauthorized' });
    }
  });

  // jsonwebtoken with the key read from a directory by kid, no algorithms: ../../dev/null is an empty HMAC key.
  const keys = mkdtempSync(join(tmpdir(), 'bulwark-audit-keys-'));
  writeFileSync(join(keys, 'idp-1'), idp.publicPem);
  app.get('/kid/orders', (req, res) => {
    jsonwebtoken.verify(
      bearer(req) ?? '',
      (header, cb) => {
        try {
          cb(null, readFileSync(join(keys, String(header.kid))));
        } catch (err) {
          cb(err as Error);
        }
      },
      (err, claims) =>
        err ? res.status(401).json({ error: 'unauthorized' }) : orders(res, (claims as { sub: string }).sub),
    );
  });

  // jose with the issuer's JWKS, but the key embedded in the token when there is one (EmbeddedJWK is for
  // DPoP proofs, not bearer tokens).
  const issuerKeys = createRemoteJWKSet(new URL(idp.jwksUri));
  app.get('/embedded/orders', async (req, res) => {
    try {
      const result = await jwtVerify(bearer(req) ?? '', (header, token) =>
        header.jwk ? EmbeddedJWK(header, token) : issuerKeys(header, token),
      );
      orders(res, result.payload.sub);
    } catch {
      res.status(401).json({ error: 'unauthorized' });
    }
  });

  // jose with keys fetched from the URL the token names (jku), or the certificate it names (x5u).
  app.get('/jku/orders', async (req, res) => {
    try {
      const result = await jwtVerify(bearer(req) ?? '', async (header) => {
        if (header.x5u) return importX509(await (await fetch(header.x5u)).text(), header.alg);
        return createRemoteJWKSet(new URL(header.jku ?? idp.jwksUri))(header);
      });
      orders(res, result.payload.sub);
    } catch {
      res.status(401).json({ error: 'unauthorized' });
    }
  });

  // express-jwt with the README's getToken that also reads ?token=, and no error handler: express's default
  // one answers 401 with the stack trace (NODE_ENV is not production).
  app.get(
    '/express-jwt/orders',
    expressjwt({
      secret: idp.publicPem,
      algorithms: ['RS256'],
      getToken: (req) => bearer(req) ?? (typeof req.query.token === 'string' ? req.query.token : undefined),
    }),
    (req, res) => orders(res, (req as unknown as { auth: { sub: string } }).auth.sub),
  );

  // The hardened twin.
  app.get(
    '/bulwark/orders',
    securityHeaders(),
    requireJwt({ algorithms: ['RS256'], issuer: idp.issuer, audience: AUDIENCE, jwksUri: idp.jwksUri }),
    (req, res) => orders(res, req.auth?.sub),
  );
  return app;
}
