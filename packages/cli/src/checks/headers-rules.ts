import { defineRules } from '../findings.js';

const DOCS = 'docs/headers.md';
const ALL = {
  bulwark:
    'app.use(securityHeaders()); // @bulwark/express, first middleware: every response gets the API preset',
  plain: 'app.use(helmet()); // before every route, so 404s and errors carry the headers too',
};

/** The security-header rules. */
export const HEADER_RULES = defineRules('headers', {
  plainHttp: {
    id: 'headers.plain-http',
    severity: 'high',
    title: 'API served over plain HTTP',
    why: 'Tokens, cookies and data cross the network in clear text; anyone on the path can read or change them.',
    fix: {
      bulwark:
        'Serve only HTTPS; redirect http:// to https:// at the edge, then securityHeaders() adds HSTS.',
      plain: 'Terminate TLS at the proxy and answer http:// with a 308 redirect to https://.',
    },
    docs: DOCS,
  },
  hstsMissing: {
    id: 'headers.hsts-missing',
    severity: 'medium',
    title: 'Strict-Transport-Security missing',
    why: 'Without HSTS a browser can be downgraded to HTTP by an active network attacker (SSL stripping).',
    fix: {
      bulwark: ALL.bulwark,
      plain: "res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')",
    },
    docs: DOCS,
  },
  hstsInvalid: {
    id: 'headers.hsts-invalid',
    severity: 'medium',
    title: 'Strict-Transport-Security is malformed and ignored',
    why: 'Browsers ignore an HSTS header they cannot parse (RFC 6797 §6.1): no protection at all.',
    fix: {
      bulwark: 'securityHeaders({ hsts: { maxAge: 31_536_000, includeSubDomains: true } })',
      plain: "res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')",
    },
    docs: DOCS,
  },
  hstsDisabled: {
    id: 'headers.hsts-disabled',
    severity: 'medium',
    title: 'Strict-Transport-Security max-age=0 switches HSTS off',
    why: 'max-age=0 tells browsers to forget the host is HTTPS-only.',
    fix: {
      bulwark: 'securityHeaders() // max-age=31536000; includeSubDomains',
      plain: "res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')",
    },
    docs: DOCS,
  },
  hstsShort: {
    id: 'headers.hsts-short',
    severity: 'low',
    title: 'Strict-Transport-Security max-age shorter than one year',
    why: 'A short max-age expires between visits, reopening the downgrade window.',
    fix: {
      bulwark: 'securityHeaders() // max-age=31536000',
      plain: "res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')",
    },
    docs: DOCS,
  },
  hstsNoSubdomains: {
    id: 'headers.hsts-no-subdomains',
    severity: 'low',
    title: 'Strict-Transport-Security without includeSubDomains',
    why: 'Sibling hosts stay downgradable, and an attacker on a plain-HTTP subdomain can set cookies for the parent.',
    fix: {
      bulwark: 'securityHeaders() // includeSubDomains is in the default',
      plain: "res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')",
    },
    docs: DOCS,
  },
  hstsPreloadInvalid: {
    id: 'headers.hsts-preload-invalid',
    severity: 'low',
    title: 'HSTS preload without its requirements',
    why: 'The preload list requires max-age ≥ 31536000 and includeSubDomains; this submission would be refused.',
    fix: {
      bulwark: 'securityHeaders({ hsts: { maxAge: 31_536_000, includeSubDomains: true, preload: true } })',
      plain: "res.setHeader('Strict-Transport-Security', 'max-age=63072000; includeSubDomains; preload')",
    },
    docs: DOCS,
  },
  cspMissing: {
    id: 'headers.csp-missing',
    severity: 'medium',
    title: 'Content-Security-Policy missing',
    why: "A response rendered by a browser (an error page, a mis-typed JSON) can run injected script and be framed; an API's policy is `default-src 'none'; frame-ancestors 'none'`.",
    fix: {
      bulwark: ALL.bulwark,
      plain: "res.setHeader('Content-Security-Policy', \"default-src 'none'; frame-ancestors 'none'\")",
    },
    docs: DOCS,
  },
  cspUnsafeInline: {
    id: 'headers.csp-unsafe-inline',
    severity: 'high',
    title: "Content-Security-Policy allows 'unsafe-inline' scripts",
    why: 'Any injected <script> or event handler runs: the policy does not stop XSS.',
    fix: {
      bulwark:
        "securityHeaders({ preset: 'web' }) // script-src 'self' 'nonce-…', the nonce in res.locals.cspNonce",
      plain:
        'helmet({ contentSecurityPolicy: { directives: { scriptSrc: ["\'self\'", (req, res) => "\'nonce-" + res.locals.nonce + "\'"] } } })',
    },
    docs: DOCS,
  },
  cspUnsafeEval: {
    id: 'headers.csp-unsafe-eval',
    severity: 'medium',
    title: "Content-Security-Policy allows 'unsafe-eval'",
    why: 'eval() and new Function() turn any injected string into running code.',
    fix: {
      bulwark: "securityHeaders({ preset: 'web' }) // no 'unsafe-eval' unless dangerouslyAllowUnsafeScripts",
      plain: "Remove 'unsafe-eval' from script-src; replace eval-based templates with precompiled ones.",
    },
    docs: DOCS,
  },
  cspWildcardScripts: {
    id: 'headers.csp-wildcard-scripts',
    severity: 'high',
    title: 'Content-Security-Policy allows scripts from any host',
    why: '`*`, `https:`, `http:`, `data:` or `blob:` in script sources let an attacker load script from a host they control.',
    fix: {
      bulwark: "securityHeaders({ preset: 'web' }) // 'self' plus a per-response nonce",
      plain: "script-src 'self' 'nonce-<random per response>' (list exact hosts, never a scheme or *)",
    },
    docs: DOCS,
  },
  cspNoScriptPolicy: {
    id: 'headers.csp-no-script-policy',
    severity: 'low',
    title: 'Content-Security-Policy does not restrict scripts',
    why: 'The policy has neither script-src nor default-src, so scripts are unrestricted.',
    fix: {
      bulwark: ALL.bulwark,
      plain: "Add default-src 'none' (APIs) or script-src 'self' 'nonce-…' (pages).",
    },
    docs: DOCS,
  },
  frameable: {
    id: 'headers.frameable',
    severity: 'medium',
    title: 'Responses can be framed by any site (clickjacking)',
    why: 'Neither CSP frame-ancestors nor a valid X-Frame-Options (DENY/SAMEORIGIN) is sent; ALLOW-FROM is ignored by every current browser.',
    fix: {
      bulwark: "app.use(securityHeaders()); // frame-ancestors 'none' and X-Frame-Options: DENY",
      plain: "app.use(helmet.frameguard({ action: 'deny' })) plus CSP frame-ancestors 'none'",
    },
    docs: DOCS,
  },
  cspNoFrameAncestors: {
    id: 'headers.csp-no-frame-ancestors',
    severity: 'low',
    title: 'No CSP frame-ancestors (framing relies on legacy X-Frame-Options)',
    why: 'frame-ancestors is the standard control and checks every ancestor; X-Frame-Options is the legacy fallback.',
    fix: {
      bulwark:
        "app.use(securityHeaders()) first: its CSP, frame-ancestors 'none' included, then stays on express's own 404 and error pages too",
      plain:
        "Add frame-ancestors 'none' to the Content-Security-Policy of every response, error pages included.",
    },
    docs: DOCS,
  },
  nosniffMissing: {
    id: 'headers.nosniff-missing',
    severity: 'low',
    title: 'X-Content-Type-Options: nosniff missing',
    why: 'Browsers may sniff a JSON or text response as HTML or script.',
    fix: { bulwark: ALL.bulwark, plain: "res.setHeader('X-Content-Type-Options', 'nosniff')" },
    docs: DOCS,
  },
  referrerPolicy: {
    id: 'headers.referrer-policy',
    severity: 'low',
    title: 'Referrer-Policy missing or leaks full URLs',
    why: 'Full URLs (with ids and tokens in paths or queries) are sent to other sites, or over HTTP.',
    fix: {
      bulwark: ALL.bulwark,
      plain: "res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin') // or no-referrer",
    },
    docs: DOCS,
  },
  permissionsPolicy: {
    id: 'headers.permissions-policy',
    severity: 'low',
    title: 'Permissions-Policy missing or malformed',
    why: 'Powerful features (camera, geolocation, payment…) are not switched off; a malformed header is dropped whole.',
    fix: {
      bulwark: ALL.bulwark,
      plain: "res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()')",
    },
    docs: DOCS,
  },
  poweredBy: {
    id: 'headers.technology-leak',
    severity: 'low',
    title: 'Response headers name the framework or server version',
    why: 'X-Powered-By and versioned Server headers tell an attacker which exploits to try first.',
    fix: {
      bulwark: "app.disable('x-powered-by'); app.use(securityHeaders());",
      plain: "app.disable('x-powered-by') (express); server_tokens off (nginx)",
    },
    docs: DOCS,
  },
  cookieFlags: {
    id: 'headers.cookie-flags',
    severity: 'medium',
    title: 'Cookie set without Secure, HttpOnly or SameSite',
    why: 'Without Secure the cookie also travels over plain HTTP; without HttpOnly any injected script reads it; without SameSite it rides along on cross-site requests (CSRF).',
    fix: {
      bulwark:
        "oidcRoutes(...) // bulwark's own cookies are __Host- prefixed, Secure, HttpOnly, SameSite=Lax",
      plain: "res.cookie('sid', value, { secure: true, httpOnly: true, sameSite: 'lax', path: '/' })",
    },
    docs: 'docs/oauth.md',
  },
  cacheAuthenticated: {
    id: 'headers.cache-authenticated',
    severity: 'medium',
    title: 'Authenticated response may be stored by caches',
    why: 'Without Cache-Control: no-store (or private), a shared cache or the browser can keep and replay one user’s data.',
    fix: {
      bulwark: 'app.use(securityHeaders()); // no-store on every request with Authorization or Cookie',
      plain: "res.setHeader('Cache-Control', 'no-store') on every authenticated response",
    },
    docs: DOCS,
  },
});
