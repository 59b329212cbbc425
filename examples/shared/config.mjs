/** Read the example's configuration from the environment; a missing value stops the app at startup. */
export function configFromEnv(env = process.env) {
  const required = (name) => {
    if (!env[name]) throw new Error(`${name} is required (see examples/README.md)`);
    return env[name];
  };
  const host = env.HOST ?? '127.0.0.1';
  const port = Number(env.PORT ?? 3000);
  return {
    host,
    port,
    // The URL clients call this API at: DPoP proofs name it (htu). Trusted configuration, never the Host header.
    publicUrl: env.PUBLIC_URL ?? `http://${host}:${port}`,
    issuer: required('ISSUER'),
    audience: required('AUDIENCE'),
    jwksUri: required('JWKS_URI'),
    // Standard Webhooks secret (whsec_…) of POST /webhooks/payments; the route exists only when it is set.
    webhookSecret: env.WEBHOOK_SECRET,
    // Proxies whose X-Forwarded-For is believed (CIDRs or named sets, comma-separated). Empty: none.
    // Browser apps allowed to call this API with the user's credentials (exact origins, comma-separated).
    corsOrigins: (env.CORS_ORIGINS ?? 'https://app.example.com')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustedProxies: (env.TRUSTED_PROXIES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
