import { SecurityError } from '../errors.js';
import { deny } from '../verdict.js';
import { toResponse } from './response.js';

/** The handler {@link fromEnv} builds: called as Workers call `fetch`, with `env` and the execution context. */
export type EnvHandler<Env, Ctx> = (request: Request, env: Env, ctx: Ctx) => Response | Promise<Response>;

/** A Workers module's default export: `{ fetch(request, env, ctx) }`. */
export interface EnvEntry<Env, Ctx> {
  fetch(request: Request, env: Env, ctx: Ctx): Promise<Response>;
}

// The answer while the handler cannot be built: nothing of the error reaches the client.
const unavailable = deny(
  new SecurityError({
    code: 'HTTP_INTERNAL_ERROR',
    status: 500,
    message: 'The server failed to handle this request.',
  }),
);

/**
 * A Cloudflare Workers entry whose handler (a `protect()`ed fetch handler, a Hono app's `fetch`) is built
 * from `env` (secrets, the JWKS URL, bindings) once per isolate, on its first request, and reused after:
 * the rules, their key caches and memory stores live as long as the isolate, as they would at module scope. A build that throws (a `ConfigError` for a missing
 * or unsafe secret) is logged once with its message, which names the option, and every request then gets a
 * 500 problem response; nothing is retried against the same `env`.
 *
 * @example
 * interface Env { JWKS_URL: string; STRIPE_WEBHOOK_SECRET: string }
 * export default fromEnv((env: Env) =>
 *   protect(async (_request, { claims }) => Response.json({ sub: claims?.sub }), {
 *     jwt: { algorithms: ['RS256'], issuer: 'https://id.example.com/', audience: 'orders', jwksUri: env.JWKS_URL },
 *     rateLimit: { rate: '100/min', clientIp: { platform: 'cloudflare' } },
 *   }),
 * );
 * // Hono: the app's fetch, called with env, which the middleware sees as c.env.
 * export default fromEnv((env: Env) => buildApp(env).fetch);
 */
export function fromEnv<Env, Ctx = unknown>(
  build: (env: Env) => EnvHandler<Env, Ctx> | Promise<EnvHandler<Env, Ctx>>,
): EnvEntry<Env, Ctx> {
  let handler: Promise<EnvHandler<Env, Ctx>> | undefined;
  let reported = false;
  return {
    async fetch(request, env, ctx) {
      handler ??= (async () => build(env))();
      let built: EnvHandler<Env, Ctx>;
      try {
        built = await handler;
      } catch (error) {
        if (!reported) {
          reported = true;
          console.error('bulwark: the handler could not be built from env:', error);
        }
        return toResponse(unavailable.reply);
      }
      return built(request, env, ctx);
    },
  };
}
