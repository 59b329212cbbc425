// fastify 5: bare route, static-headers (bare plus bulwark-nojwt's response headers as constants, set by one
// onRequest hook, as in inproc.mjs), peer stack (@fastify/helmet + cors + rate-limit + jwt), bulwark stack.
import Fastify from 'fastify';
import { staticHeaderPairs } from '../bulwark-common.mjs';
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
    const pairs = staticHeaderPairs(c);
    app.addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of pairs) reply.raw.setHeader(name, value);
      done();
    });
  } else if (variant !== 'bare') Object.assign(routeOptions, await bulwarkStack(app, variant, c));
  app.get('/json', routeOptions, async () => BODY);
  await app.listen({ port: 0, host: '127.0.0.1' });
  onServer(app.server);
  return app.server.address().port;
}
