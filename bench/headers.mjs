// Per-request cost of security headers and CORS: bulwark against helmet + cors (express middleware, called
// directly on a real node ServerResponse) and against @fastify/helmet + @fastify/cors (a request through
// fastify's full pipeline without a socket, next to a bare route for scale). Contract: see bench/README.md.
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { compare, ensure } from './lib/micro.mjs';

export const title = 'Security headers and CORS (per request)';
export const peers = ['helmet', 'cors', '@fastify/helmet', '@fastify/cors', 'express', 'fastify'];

const APP = 'https://app.example.com';
const noop = () => {};

/** A real node request/response pair, reused across iterations (no socket writes: `end` is a no-op). */
function nodePair(method, headers) {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = '/api/data';
  req.headers = headers;
  req.rawHeaders = Object.entries(headers).flat();
  req.originalUrl = '/api/data';
  const res = new ServerResponse(req);
  res.end = () => res;
  return { req, res };
}

/** Run express-style middleware in order on the pair, resetting what a fresh response would not have. */
function chain(stack, { req, res }) {
  return () => {
    res.removeHeader('vary');
    res.statusCode = 200;
    for (const mw of stack) mw(req, res, noop);
    return res;
  };
}

async function expressGroups(smoke) {
  const { securityHeaders, cors } = await import('@bulwark/express');
  const helmet = (await import('helmet')).default;
  const corsPeer = (await import('cors')).default;
  const corsOptions = { origins: [APP], credentials: true };
  const peerCorsOptions = {
    origin: [APP],
    credentials: true,
    maxAge: 600,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type'],
  };
  const ours = { headers: securityHeaders(), cors: cors(corsOptions) };
  const theirs = { headers: helmet(), cors: corsPeer(peerCorsOptions) };
  const actual = () => nodePair('GET', { origin: APP, accept: 'application/json' });
  const preflight = () =>
    nodePair('OPTIONS', {
      origin: APP,
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'content-type',
    });

  const hasHeaders = (name, res) =>
    ensure(res.getHeader('x-content-type-options') === 'nosniff', `${name} set headers`);
  const granted = (name, res) =>
    ensure(res.getHeader('access-control-allow-origin') === APP, `${name} granted ${APP}`);
  const rows = [];
  rows.push(
    ...(await compare(
      'express: security headers, one response',
      {
        'bulwark securityHeaders()': chain([ours.headers], actual()),
        'helmet()': chain([theirs.headers], actual()),
      },
      { smoke, check: hasHeaders },
    )),
    ...(await compare(
      'express: CORS, allowed actual request',
      { 'bulwark cors()': chain([ours.cors], actual()), 'cors()': chain([theirs.cors], actual()) },
      { smoke, check: granted },
    )),
    ...(await compare(
      'express: CORS, preflight answered',
      { 'bulwark cors()': chain([ours.cors], preflight()), 'cors()': chain([theirs.cors], preflight()) },
      {
        smoke,
        check: (name, res) => {
          granted(name, res);
          ensure(res.statusCode === 204, `${name} answered 204`);
        },
      },
    )),
    ...(await compare(
      'express: security headers + CORS, allowed actual request',
      {
        'bulwark securityHeaders() + cors()': chain([ours.headers, ours.cors], actual()),
        'helmet() + cors()': chain([theirs.headers, theirs.cors], actual()),
      },
      {
        smoke,
        check: (name, res) => {
          hasHeaders(name, res);
          granted(name, res);
        },
      },
    )),
  );
  return rows;
}

/**
 * One request through fastify's whole pipeline (routing, hooks, handler, serialisation) without a socket:
 * `app.routing(req, res)` on a fresh node request/response pair, resolved when fastify ends the response.
 */
function throughFastify(app, headers) {
  return () =>
    new Promise((resolve) => {
      const req = new IncomingMessage(new Socket());
      req.method = 'GET';
      req.url = '/api/data';
      req.headers = headers;
      req.rawHeaders = Object.entries(headers).flat();
      req.push(null);
      const res = new ServerResponse(req);
      res.end = () => {
        resolve(res);
        return res;
      };
      app.routing(req, res);
    });
}

async function fastifyGroups(smoke) {
  const Fastify = (await import('fastify')).default;
  const { bulwark } = await import('@bulwark/fastify');
  const fastifyHelmet = (await import('@fastify/helmet')).default;
  const fastifyCors = (await import('@fastify/cors')).default;
  const route = async () => ({ data: 'secret' });
  const bare = Fastify();
  bare.get('/api/data', route);
  const ours = Fastify();
  await ours.register(bulwark, { securityHeaders: true, cors: { origins: [APP], credentials: true } });
  ours.get('/api/data', route);
  const theirs = Fastify();
  await theirs.register(fastifyHelmet);
  await theirs.register(fastifyCors, { origin: [APP], credentials: true, maxAge: 600 });
  theirs.get('/api/data', route);
  await Promise.all([bare.ready(), ours.ready(), theirs.ready()]);
  const headers = { origin: APP, accept: 'application/json' };
  const rows = await compare(
    'fastify: security headers + CORS, one request through the fastify pipeline (no socket)',
    {
      'bulwark plugin (securityHeaders + cors)': throughFastify(ours, headers),
      '@fastify/helmet + @fastify/cors': throughFastify(theirs, headers),
      'bare route (no headers, no CORS)': throughFastify(bare, headers),
    },
    {
      smoke,
      check: (name, res) => {
        ensure(res.statusCode === 200, `${name} answered 200`);
        if (!name.startsWith('bare')) {
          ensure(res.getHeader('access-control-allow-origin') === APP, `${name} granted ${APP}`);
          ensure(res.getHeader('x-content-type-options') === 'nosniff', `${name} set headers`);
        }
      },
    },
  );
  await Promise.all([bare.close(), ours.close(), theirs.close()]);
  return rows;
}

export async function run({ smoke }) {
  return [...(await expressGroups(smoke)), ...(await fastifyGroups(smoke))];
}
