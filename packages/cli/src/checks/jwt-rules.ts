import { defineRules } from '../findings.js';

const DOCS = 'docs/jwt.md';
const PINNED = {
  bulwark:
    "app.get('/orders', requireJwt({ algorithms: ['RS256'], issuer, audience, jwksUri }), handler) // @bulwark/express",
  plain:
    "jwt.verify(token, publicKey, { algorithms: ['RS256'], issuer, audience }) // jsonwebtoken: always pass algorithms",
};

/** The JWT rules. Every forgery the API accepts is critical: anyone can be anyone. */
export const JWT_RULES = defineRules('jwt', {
  algNone: {
    id: 'jwt.alg-none',
    severity: 'critical',
    title: 'Unsigned token accepted (alg: none)',
    why: 'Anyone can write a token for any user: the signature is not required.',
    fix: PINNED,
    docs: DOCS,
  },
  signatureStripped: {
    id: 'jwt.signature-stripped',
    severity: 'critical',
    title: 'Token accepted with its signature removed',
    why: 'The verifier does not require a signature: any claims are accepted.',
    fix: PINNED,
    docs: DOCS,
  },
  signatureNotVerified: {
    id: 'jwt.signature-not-verified',
    severity: 'critical',
    title: 'Token accepted with a wrong signature',
    why: 'The signature is not verified (decode instead of verify): any claims are accepted.',
    fix: {
      bulwark: PINNED.bulwark,
      plain: 'Use jwt.verify (or jose jwtVerify), never jwt.decode, to authenticate a request.',
    },
    docs: DOCS,
  },
  keyConfusion: {
    id: 'jwt.key-confusion',
    severity: 'critical',
    title: "HS256 token signed with the issuer's public key accepted (algorithm confusion)",
    why: 'The verifier takes the algorithm from the token and uses the public key as an HMAC secret; the key is public, so anyone can sign.',
    fix: {
      bulwark: "requireJwt({ algorithms: ['RS256'], ... }) // mixing HS and RS algorithms is a ConfigError",
      plain:
        "jwt.verify(token, publicKey, { algorithms: ['RS256'] }) // never let the token choose the algorithm",
    },
    docs: DOCS,
  },
  kidInjection: {
    id: 'jwt.kid-injection',
    severity: 'critical',
    title: 'Key chosen by an attacker-controlled kid accepted',
    why: 'The kid header is used as a file path or in a query to find the key, so the attacker picks a key they know (/dev/null, a SQL literal).',
    fix: {
      bulwark: 'requireJwt({ jwksUri, ... }) // kid only selects among the issuer’s published keys',
      plain: 'Look kid up in a fixed map of the issuer’s keys; never in a path, a query or a URL.',
    },
    docs: DOCS,
  },
  jwkInjection: {
    id: 'jwt.jwk-injection',
    severity: 'critical',
    title: 'Token verified with a key embedded in its own header (jwk)',
    why: 'The attacker puts their own public key in the header and signs with the private half.',
    fix: {
      bulwark: PINNED.bulwark,
      plain: 'Never verify with EmbeddedJWK or header.jwk; keys come from the issuer’s JWKS only.',
    },
    docs: DOCS,
  },
  jkuInjection: {
    id: 'jwt.jku-injection',
    severity: 'critical',
    title: 'Token verified with keys fetched from a URL in its header (jku/x5u/x5c)',
    why: 'The attacker points the header at keys they host (or embeds a certificate) and signs with their own key.',
    fix: {
      bulwark: 'requireJwt({ jwksUri: <the issuer’s JWKS>, ... }) // header URLs are never fetched',
      plain: 'Ignore jku, x5u and x5c; fetch keys only from the configured issuer JWKS URL.',
    },
    docs: DOCS,
  },
  headerUrlFetched: {
    id: 'jwt.header-url-fetched',
    severity: 'medium',
    title: 'The API fetched a URL taken from a token header',
    why: 'Even though the token was refused, the API makes requests to attacker-chosen URLs (server-side request forgery).',
    fix: {
      bulwark: 'requireJwt({ jwksUri, ... }) // only the configured JWKS URL is ever fetched',
      plain: 'Do not resolve jku/x5u from tokens; pin the JWKS URL in configuration.',
    },
    docs: DOCS,
  },
  tokenInQuery: {
    id: 'jwt.token-in-query',
    severity: 'medium',
    title: 'Bearer token accepted in the query string',
    why: 'URLs end up in proxy and server logs, browser history and Referer headers: the token leaks (RFC 6750 §5.3).',
    fix: {
      bulwark: 'requireJwt(...) // reads only the Authorization header',
      plain: 'express-jwt: drop the getToken that reads req.query; accept Authorization: Bearer only.',
    },
    docs: DOCS,
  },
  errorLeak: {
    id: 'jwt.error-leak',
    severity: 'medium',
    title: 'Token errors leak internals (stack trace, file paths or the token)',
    why: 'Stack traces and paths map the server for an attacker; echoing the token puts it in more logs.',
    fix: {
      bulwark: 'requireJwt(...) // 401 problem+json with a stable code, never a stack or the token',
      plain:
        "app.use((err, req, res, next) => err.name === 'UnauthorizedError' ? res.status(401).json({ error: 'invalid_token' }) : next(err))",
    },
    docs: DOCS,
  },
  errorDetail: {
    id: 'jwt.error-detail',
    severity: 'low',
    title: "Token errors name the verifier library's exception",
    why: 'Raw library messages (invalid algorithm, secretOrPublicKey…) tell an attacker which checks ran and which library to target.',
    fix: {
      bulwark: 'requireJwt(...) // 401 with WWW-Authenticate: Bearer error="invalid_token" and a stable code',
      plain: "res.status(401).set('WWW-Authenticate', 'Bearer error=\"invalid_token\"').end()",
    },
    docs: DOCS,
  },
  error5xx: {
    id: 'jwt.error-5xx',
    severity: 'medium',
    title: 'A malformed token causes a server error',
    why: 'Parsing untrusted tokens throws past the error handler: a 5xx is an unhandled path, often a crash or a log flood.',
    fix: {
      bulwark: 'requireJwt(...) // malformed tokens are 401 JWT_MALFORMED',
      plain: 'Catch verification errors and answer 401.',
    },
    docs: DOCS,
  },
});
