import type { AppSpec, ScenarioGroup } from '@bulwark/conformance';
import type { Runtime } from './remote.js';

type Excludes = Readonly<Partial<Record<ScenarioGroup, string>>>;

const REVOCATION =
  'the scenario revokes through the verifier object it built in the test process; an app in another process holds its own copy (sharing a denylist across processes is what the Redis revocation store is for, proven by the store suite)';

const MTLS: Record<Runtime, string> = {
  bun: "Bun.serve hands a fetch handler no TLS client certificate (the server gives requestIP only), so there is no peer certificate to verify; forwarded certificates from a proxy need the group's TLS server",
  deno: "Deno.serve's handler info carries no TLS client certificate, so there is no peer certificate to verify; forwarded certificates from a proxy need the group's TLS server",
  workerd:
    "a Worker never sees the TLS handshake (Cloudflare's edge terminates it and reports a client certificate only in request.cf.tlsClientAuth, which miniflare cannot produce)",
};

const BODY_LIMIT: Record<Runtime, string> = {
  bun: "the 1 MiB cap is the fetch adapter's node bridge (toNodeListener maxBodyBytes); Bun reads the body itself, up to Bun.serve's maxRequestBodySize (128 MiB by default), and answers a larger one itself",
  deno: "the 1 MiB cap is the fetch adapter's node bridge (toNodeListener maxBodyBytes); Deno.serve has no body limit, so a handler must bound what it reads (the webhook rule does)",
  workerd:
    "the 1 MiB cap is the fetch adapter's node bridge (toNodeListener maxBodyBytes); on Workers Cloudflare's edge caps request bodies by plan (100 MB and up)",
};

const DPOP =
  'the group hands each app a replay store object built in the test process (memory, and Redis in @bulwark/redis) and checks a proof replayed to a second instance sharing it; an app in another runtime process cannot hold that object. The proof checks are the jwt rule the JWT groups run here; the Redis replay store runs inside Bun and Deno in the store suite';

const NOT_CRYPTO =
  'no cryptography: the same code as the native run of this runtime, which runs the group; this run exists for the WebCrypto back end';

/**
 * The adapter-suite groups each runtime run leaves out, and why. `native` runs use the export conditions the
 * runtime resolves a published package with; `web` runs the WebCrypto back end (JWT, webhooks, OIDC). The
 * Hono app caps its JSON route with Hono's own bodyLimit middleware, which runs on every runtime, so its
 * runs keep the body-limit group.
 */
export function excludesFor(
  runtime: Runtime,
  crypto: 'native' | 'web',
  adapter: 'fetch' | 'hono' = 'fetch',
): Excludes {
  const common: Excludes = {
    'jwt.revocation': REVOCATION,
    dpop: DPOP,
    ...(adapter === 'fetch' ? { 'responses.body-limit': BODY_LIMIT[runtime] } : {}),
    mtls: MTLS[runtime],
    'mtls.rotation': MTLS[runtime],
  };
  if (runtime === 'workerd') {
    return {
      ...common,
      ratelimit:
        "the group plays a proxy on loopback and checks which X-Forwarded-For hops are trusted; a Worker has no socket peer and no proxy to trust, its client address is the platform's cf-connecting-ip (runtime checks: two clients two buckets, concurrency, the address missing)",
    };
  }
  if (crypto === 'web') {
    return {
      ...common,
      headers: NOT_CRYPTO,
      cors: NOT_CRYPTO,
      ratelimit: NOT_CRYPTO,
      responses: NOT_CRYPTO,
    };
  }
  return common;
}

function withPlatform(options: unknown): unknown {
  return { ...(options as object), clientIp: { platform: 'cloudflare' } };
}

/**
 * On Workers the client address can only come from the platform's header, so every limiter of a spec names
 * the platform (a limiter that does not is a ConfigError there, by design). workerd writes the socket peer
 * into cf-connecting-ip as Cloudflare's edge does, so requests from 127.0.0.1 still come from 127.0.0.1.
 */
export function adaptForWorkers(spec: AppSpec): AppSpec {
  if (spec.rateLimit === undefined) return spec;
  const { direct, proxied, token } = spec.rateLimit;
  return {
    ...spec,
    rateLimit: {
      direct: withPlatform(direct) as typeof direct,
      proxied: withPlatform(proxied) as typeof proxied,
      token: withPlatform(token) as typeof token,
    },
  };
}
