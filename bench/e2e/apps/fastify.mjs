// fastify 5: bare route, static-headers (bare plus bulwark-nojwt's response headers as constants, set by one
// onRequest hook), bare-deny (every request answered, in an onRequest hook, with the bytes of bulwark's 401 for a
// malformed token), bare-error (the same bytes, the refusal handed to fastify's error pipeline: an onRequest
// hook's done(error), then setErrorHandler writes them), bare-post (bare plus a POST /webhook route whose scope parses every body as a Buffer), peer
// stack (@fastify/helmet + cors + rate-limit + jwt), bulwark stack.
import Fastify from 'fastify';
import {
  BARE_POST_BODY,
  DENY_BODY,
  denyHeaderPairs,
  FloorDenial,
  staticHeaderPairs,
  WEBHOOK_PATH,
} from '../bulwark-common.mjs';
import { bulwarkStack } from '../bulwark-fastify.mjs';

const BODY = { hello: 'world' };

async function peerStack(app, c) {
  await app.register((await import('@fastify/helmet')).default);
  await app.register((await import('@fastify/cors')).default, { origin: c.origin });
  await app.register((await import('@fastify/rate-limit')).default, { max: c.limit, timeWindow: 60_000 });
  await app.register((await import('@fastify/jwt')).default, {
    secret: { public: c.publicPem },
    verify: { algorithms: ['RS256'], allowedIss: c.issuer, allowedAud: c.audience },
  });
  app.addHook('onRequest', async (request) => {
    await request.jwtVerify();
  });
}

/** Build the app for `variant` and listen on 127.0.0.1:0; resolves to the port. */
export async function listen(variant, c, onServer = () => {}) {
  const app = Fastify({ logger: false });
  const routeOptions = {};
  if (variant === 'peer') await peerStack(app, c);
  else if (variant === 'static-headers') {
    // reply.headers(object): fastify keeps them and hands them to writeHead with its own, the cheapest public
    // way in process (15.8 µs vs 17.4 µs a request with reply.raw.setHeader per pair, bare 12.2 µs; Node 20).
    const headers = Object.fromEntries(staticHeaderPairs(c));
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  } else if (variant === 'bare-deny') {
    // The floor of answering a refusal: its status, headers and body as constants, sent from the first hook.
    const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json; charset=utf-8'));
    app.addHook('onRequest', (_request, reply) => {
      reply.code(401).headers(headers).send(DENY_BODY);
    });
  } else if (variant === 'bare-error') {
    // The floor of a refusal that travels fastify's error pipeline, as bulwark's denials do (so onError hooks
    // and the app's error handlers see them): a stackless Error with its statusCode handed to done(), then
    // onError hooks (none), the error handler writing the same constants as bare-deny.
    const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json; charset=utf-8'));
    app.setErrorHandler((error, _request, reply) => {
      reply.code(error.statusCode).headers(headers).send(DENY_BODY);
    });
    app.addHook('onRequest', (_request, _reply, done) => {
      done(FloorDenial.make());
    });
  } else if (variant === 'bare-post') {
    // The floor of a webhook refusal: the same POST, its body read as bytes (fastify's parseAs: 'buffer' in an
    // encapsulated scope, as bulwark's rawWebhookBody does).
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
      scope.post(WEBHOOK_PATH, async () => BARE_POST_BODY);
    });
  } else if (variant !== 'bare') Object.assign(routeOptions, await bulwarkStack(app, variant, c));
  app.get('/json', routeOptions, async () => BODY);
  await app.listen({ port: 0, host: '127.0.0.1' });
  onServer(app.server);
  return app.server.address().port;
}
