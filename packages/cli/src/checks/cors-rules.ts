import { defineRules } from '../findings.js';

const DOCS = 'docs/cors.md';
const EXACT = {
  bulwark:
    "app.use(cors({ origins: ['https://app.example.com'], credentials: true })); // @bulwark/express: exact origins",
  plain:
    "app.use(cors({ origin: ['https://app.example.com'], credentials: true })); // a fixed list, never true or a suffix test",
};

/** The CORS rules. Severities are for credentialed grants; the check lowers them when credentials are off. */
export const CORS_RULES = defineRules('cors', {
  reflectsAnyOrigin: {
    id: 'cors.reflects-any-origin',
    severity: 'critical',
    title: 'CORS grants any Origin it is sent',
    why: 'Any website a user visits can read this API’s responses in that user’s name (with credentials: their cookies and session).',
    fix: EXACT,
    docs: DOCS,
  },
  nullOrigin: {
    id: 'cors.null-origin',
    severity: 'high',
    title: 'CORS grants the `null` origin',
    why: 'Any page can send Origin: null from a sandboxed iframe or a data: URL, so `null` is as good as any origin.',
    fix: {
      bulwark:
        "cors({ origins: ['https://app.example.com'], credentials: true }) // 'null' is refused with credentials",
      plain: "Remove 'null' from the allowed origins.",
    },
    docs: DOCS,
  },
  lookalikeOrigin: {
    id: 'cors.lookalike-origin',
    severity: 'high',
    title: 'CORS grants a look-alike of a trusted origin',
    why: 'The origin check is a prefix, suffix, substring or unanchored regex test: an attacker registers a matching domain and reads responses.',
    fix: {
      bulwark:
        "cors({ origins: ['https://app.example.com', 'https://*.tenants.example.com'] }) // matched label by label",
      plain:
        "origin: ['https://app.example.com'] or /^https:\\/\\/app\\.example\\.com$/ (anchored, dots escaped)",
    },
    docs: DOCS,
  },
  insecureOrigin: {
    id: 'cors.insecure-origin',
    severity: 'medium',
    title: 'CORS grants the http:// twin of a trusted origin',
    why: 'A network attacker can inject script into the plain-HTTP page and read the API through it.',
    fix: {
      bulwark: "cors({ origins: ['https://app.example.com'] }) // scheme is part of the exact match",
      plain: 'List https:// origins only and compare the whole origin, scheme included.',
    },
    docs: DOCS,
  },
  wildcardWithCredentials: {
    id: 'cors.wildcard-credentials',
    severity: 'medium',
    title: 'Access-Control-Allow-Origin: * with Allow-Credentials: true',
    why: 'Browsers refuse this combination, and the usual “fix” is to reflect the Origin, which exposes user data.',
    fix: {
      bulwark:
        "cors({ origins: '*' }) for public data, or exact origins with credentials (the combination is a ConfigError)",
      plain: "Either origin: '*' without credentials, or a fixed list with credentials: true.",
    },
    docs: DOCS,
  },
  varyMissing: {
    id: 'cors.vary-missing',
    severity: 'medium',
    title: 'Origin-specific CORS grant without Vary: Origin',
    why: 'A shared cache can serve one origin’s grant (and the data) to another site.',
    fix: {
      bulwark: 'cors({ origins: [...] }) // Vary: Origin on every response, granted or not',
      plain: "res.vary('Origin') whenever Access-Control-Allow-Origin depends on the request",
    },
    docs: DOCS,
  },
  broadMethods: {
    id: 'cors.broad-methods',
    severity: 'low',
    title: 'Preflight allows any method',
    why: 'A wildcard or reflected Access-Control-Allow-Methods grants methods the API never meant to expose cross-origin.',
    fix: {
      bulwark: "cors({ origins: [...], methods: ['GET', 'POST'] }) // an explicit list, never reflected",
      plain: "cors({ origin: [...], methods: ['GET', 'POST'] })",
    },
    docs: DOCS,
  },
  broadHeaders: {
    id: 'cors.broad-headers',
    severity: 'low',
    title: 'Preflight allows any request header',
    why: 'Reflecting Access-Control-Request-Headers (or `*`) grants whatever a page asks for, including headers your auth or routing trusts.',
    fix: {
      bulwark:
        "cors({ origins: [...], allowedHeaders: ['authorization', 'content-type'] }) // the default list",
      plain: "cors({ origin: [...], allowedHeaders: ['Authorization', 'Content-Type'] })",
    },
    docs: DOCS,
  },
  maxAge: {
    id: 'cors.max-age-over-cap',
    severity: 'low',
    title: 'Access-Control-Max-Age beyond browser caps',
    why: 'Chromium caps preflight caching at 7200 s and Firefox at 86400 s; a larger value is silently cut and hides a revoked grant for longer than intended.',
    fix: {
      bulwark: 'cors({ origins: [...], maxAge: 600 }) // default 600 s; above 7200 s it warns at startup',
      plain: 'cors({ origin: [...], maxAge: 600 })',
    },
    docs: DOCS,
  },
  privateNetwork: {
    id: 'cors.private-network',
    severity: 'medium',
    title: 'Private Network Access granted to an untrusted origin',
    why: 'Access-Control-Allow-Private-Network: true lets a public website reach this private-network service.',
    fix: {
      bulwark: 'cors({ origins: [...], allowPrivateNetwork: true }) // only for the listed origins',
      plain: 'Send Access-Control-Allow-Private-Network only after an exact origin match.',
    },
    docs: DOCS,
  },
});
