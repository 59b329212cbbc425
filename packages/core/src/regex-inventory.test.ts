import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyse } from 'scslre';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every regular expression in the shipped sources (`packages/<name>/src`, tests and the private conformance
 * package excluded), what it reads, and proof that none backtracks super-linearly. A regex that a client can
 * feed is a denial of service when it is quadratic: `/^[ \t]+|[ \t]+$/g` on a 16 KB `Forwarded` header held
 * the event loop for 0.7 s. Config-only regexes are held to the same rule, because "config only" stops being
 * true the day someone reuses one on a header.
 *
 * A regex added anywhere in those sources fails the first test until it is listed here, with what it reads.
 */
type Input =
  /** Anything a client sends: headers, URL, cookies, body fields. */
  | 'request'
  /** What an identity provider or a JWKS endpoint answers. */
  | 'idp'
  /** What an audited server answers `bulwark audit` (it may be hostile). */
  | 'response'
  /** Options given at construction or on the command line, or values bulwark writes itself. */
  | 'config';

interface Entry {
  /** Path under `packages/`. */
  readonly file: string;
  /** The literal as written in the source. */
  readonly regex: string;
  readonly input: Input;
  /** What the regex is applied to. */
  readonly on: string;
  /** Prefixes that get an anchored regex past its first characters, so the pump reaches its quantifiers. */
  readonly near?: readonly string[];
}

const R = (file: string, regex: string, input: Input, on: string, near: readonly string[] = []): Entry => ({
  file,
  regex,
  input,
  on,
  near,
});

const REGEXES: readonly Entry[] = [
  // bulwark audit (CLI)
  R(
    'cli/src/args.ts',
    String.raw`/\. To specify a positional.*$/s`,
    'config',
    "node's parseArgs error message",
  ),
  R(
    'cli/src/args.ts',
    String.raw`/^([!#$%&'*+\-.^_${'`'}|~0-9A-Za-z]+):\s*(\S.*)?$/`,
    'config',
    '--header arguments',
    ['a:', 'a: '],
  ),
  R('cli/src/args.ts', String.raw`/^\d+$/`, 'config', 'numeric arguments'),
  R('cli/src/checks/jwt-forge.ts', '/^(RS|PS)(256|384|512)$/', 'config', 'the alg of the --token header'),
  R('cli/src/checks/jwt-keys.ts', String.raw`/\/$/`, 'response', "the token's iss claim"),
  R('cli/src/checks/jwt-leaks.ts', '/&nbsp;/g', 'response', 'a stack frame found in an error page'),
  R(
    'cli/src/checks/jwt-leaks.ts',
    String.raw`/(?:^|\s|&nbsp;)at (?:[^\s<()]{1,200} \()?(?:\/|[A-Za-z]:\\|file:|node:)[^\s<()]{0,300}:\d{1,7}(?::\d{1,7})?/m`,
    'response',
    'error responses to forged tokens (first 64 KiB)',
  ),
  R(
    'cli/src/checks/jwt-leaks.ts',
    String.raw`/\b(JsonWebTokenError|TokenExpiredError|NotBeforeError|UnauthorizedError|JWSInvalid|JWSSignatureVerificationFailed|JWTInvalid|JWTClaimValidationFailed|JOSEAlgNotAllowed|JOSENotSupported|invalid algorithm|invalid signature|jwt malformed|jwt signature is required|secretOrPublicKey|secret or public key must be provided)\b/i`,
    'response',
    'error responses to forged tokens (first 64 KiB)',
  ),
  R(
    'cli/src/checks/jwt-leaks.ts',
    String.raw`/node_modules[/\\]|\/(?:home|usr|srv|app|opt)\/[\w.-]{1,100}\/[\w./-]{1,200}\.(?:js|ts|mjs|cjs)\b/`,
    'response',
    'error responses to forged tokens (first 64 KiB)',
  ),
  R('cli/src/checks/jwt.ts', String.raw`/^(RS|PS|ES)\d{3}$/`, 'config', 'the alg of the --token header'),
  R('cli/src/checks/key-server.ts', String.raw`/\/$/`, 'config', 'the --key-server URL'),
  R('cli/src/checks/key-server.ts', String.raw`/^\[|\]$/g`, 'config', 'the --key-server host'),
  R('cli/src/checks/ratelimit.ts', '/[A-Za-z]/', 'response', 'Retry-After'),
  R(
    'cli/src/checks/ratelimit.ts',
    '/^(ratelimit|ratelimit-policy|ratelimit-(limit|remaining|reset)|x-ratelimit-(limit|remaining|reset))$/',
    'response',
    'response header names',
  ),
  R('cli/src/checks/ratelimit.ts', String.raw`/^\d+$/`, 'response', 'Retry-After'),
  R('cli/src/checks/webhooks.ts', '/=/g', 'config', 'random base64 the audit makes'),
  R(
    'cli/src/checks/webhooks.ts',
    '/[A-Za-z0-9+/_-]{20,}={0,2}/g',
    'config',
    'signature headers of a webhook sample file',
  ),
  R('cli/src/checks/webhooks.ts', '/^[0-9a-f]+$/', 'config', 'signature headers of a webhook sample file'),
  R(
    'cli/src/checks/webhooks.ts',
    '/duplicate|already|replay/i',
    'response',
    'the answer to a replayed webhook delivery',
  ),
  R('cli/src/checks/x509.ts', '/.{64}/g', 'config', 'base64 of the certificate the audit makes'),
  R('cli/src/checks/x509.ts', '/[-:T]/g', 'config', 'an ISO date the audit makes'),
  R('cli/src/checks/x509.ts', String.raw`/\n$/`, 'config', 'base64 of the certificate the audit makes'),
  R('cli/src/checks/cors.ts', String.raw`/^\d+\.\d+\.\d+\.\d+$/`, 'config', 'the host of the audited URL', [
    '1.',
    '1.1.',
  ]),
  R('cli/src/checks/headers.ts', String.raw`/\d/`, 'response', 'header values'),
  R('cli/src/checks/headers.ts', '/^(deny|sameorigin)$/i', 'response', 'X-Frame-Options'),
  R(
    'cli/src/checks/headers.ts',
    String.raw`/^127\.\d+\.\d+\.\d+$/`,
    'config',
    'the host of the audited URL',
    ['127.', '127.0.'],
  ),
  R(
    'cli/src/checks/headers.ts',
    String.raw`/^[a-z][a-z0-9-]*(=(\*|self|\(\s*((self|\*|"[^"\\]*")(\s+(self|\*|"[^"\\]*"))*\s*)?\)))?$/`,
    'response',
    'Permissions-Policy members',
    ['a=(', 'a=(self', 'a=("', 'a=(self "x"'],
  ),
  R('cli/src/checks/headers.ts', String.raw`/^\[|\]$/g`, 'config', 'the host of the audited URL'),
  R(
    'cli/src/checks/parse.ts',
    String.raw`/[\t\n\f\r ]+/`,
    'response',
    'Content-Security-Policy source lists',
  ),
  R('cli/src/checks/parse.ts', "/^'sha(256|384|512)-/", 'response', 'Content-Security-Policy sources'),
  R('cli/src/checks/parse.ts', String.raw`/^\d{1,15}$/`, 'response', 'Strict-Transport-Security max-age'),
  R(
    'cli/src/checks/webhook-sample.ts',
    String.raw`/(?:^|,)\s*t=(\d+)/`,
    'config',
    'a webhook sample file named on the command line',
    [','],
  ),
  R(
    'cli/src/checks/webhook-sample.ts',
    String.raw`/[\u0000-\u0008\u000a-\u001f\u007f]/`,
    'config',
    'a webhook sample file',
  ),
  R('cli/src/checks/webhook-sample.ts', String.raw`/\r?\n/`, 'config', 'a webhook sample file'),
  R(
    'cli/src/checks/webhook-sample.ts',
    "/^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$/",
    'config',
    'a webhook sample file',
  ),
  R(
    'cli/src/checks/webhook-sample.ts',
    String.raw`/^[A-Z]+ \S+ HTTP\/\d(\.\d)?$/`,
    'config',
    'a webhook sample file',
    ['POST ', 'POST /'],
  ),
  R('cli/src/checks/webhook-sample.ts', String.raw`/^\d{9,13}$/`, 'config', 'a webhook sample file'),
  R(
    'cli/src/checks/webhook-sample.ts',
    '/signature|^x-hub-signature|^x-slack-signature/',
    'config',
    'a webhook sample file',
  ),
  R('cli/src/evidence.ts', '/=[^;]*/g', 'response', 'Cookie values kept as evidence'),
  R('cli/src/evidence.ts', '/^([^=;]*)=[^;]*/', 'response', 'Set-Cookie values kept as evidence'),
  R(
    'cli/src/evidence.ts',
    '/^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$|signature/',
    'response',
    'header names kept as evidence',
  ),
  R(
    'cli/src/evidence.ts',
    String.raw`/^(bearer|dpop)\s+(\S.*)$/i`,
    'response',
    'credentials kept as evidence',
    ['bearer', 'bearer '],
  ),
  R(
    'cli/src/evidence.ts',
    '/token|jwt|key|secret|signature|sig|password|code/i',
    'response',
    'query parameter names kept as evidence',
  ),
  R(
    'cli/src/progress.ts',
    '/token|key|secret|sig/i',
    'response',
    'query parameter names in the progress line',
  ),
  R('cli/src/report/sarif.ts', '/[.-]/', 'config', 'rule ids'),
  R('cli/src/report/sarif.ts', '/bulwark-?audit-?[a-z0-9]*/gi', 'config', 'finding details'),
  R('cli/src/report/text.ts', '/^(access-control-|vary)/', 'response', 'header names in the text report'),
  R('cli/src/report/text.ts', '/^(content-type)/', 'response', 'header names in the text report'),
  R(
    'cli/src/report/text.ts',
    '/^(retry-after|ratelimit|x-ratelimit|x-rate-limit)/',
    'response',
    'header names in the text report',
  ),
  R(
    'cli/src/report/text.ts',
    '/^(strict-transport-security|content-security-policy|x-frame-options|x-content-type-options|referrer-policy|permissions-policy|feature-policy|x-powered-by|server|cache-control|x-aspnet)/',
    'response',
    'header names in the text report',
  ),
  R(
    'cli/src/report/text.ts',
    '/^(www-authenticate|content-type|location)/',
    'response',
    'header names in the text report',
  ),
  // Configuration text
  R(
    'core/src/config/text.ts',
    String.raw`/[\p{Cc}\p{Cf}\p{Z}]/u`,
    'config',
    'configured origins, names and URLs',
  ),
  R(
    'core/src/config/text.ts',
    String.raw`/[\p{Cc}\p{Cf}\p{Z}]/gu`,
    'config',
    'the same, escaped for the error message',
  ),
  // CORS
  R(
    'core/src/cors/origin.ts',
    String.raw`/^([a-z][a-z0-9+.-]*):\/\/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::([1-9][0-9]{0,4}))?$/`,
    'request',
    'the Origin header (at most 300 characters), and configured origins',
    ['https://', 'https://a', 'https://a.b', 'https://[', 'https://a:1'],
  ),
  R('core/src/cors/origin.ts', String.raw`/^([a-z][a-z0-9+.-]*):\/\//i`, 'config', 'cors.origins entries'),
  R('core/src/cors/origin.ts', '/[/?#]/', 'config', 'cors.origins entries (twice)'),
  R('core/src/cors/origin.ts', '/[/?#]/', 'config', 'cors.origins entries (twice)'),
  R(
    'core/src/cors/origin.ts',
    String.raw`/^([a-z]+):\/\/\*\.(.+)$/i`,
    'config',
    'wildcard cors.origins entries',
    ['https://*.'],
  ),
  R('core/src/cors/origin.ts', String.raw`/^[0-9.]+$|^\[/`, 'config', 'the host of a wildcard origin'),
  R('core/src/cors/origin.ts', '/[gym]/', 'config', 'the flags of a RegExp in cors.origins'),
  R(
    'core/src/cors/options.ts',
    "/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/",
    'config',
    'cors.methods, allowedHeaders, exposedHeaders',
  ),
  // Security headers
  R(
    'core/src/headers/csp.ts',
    "/^'sha(256|384|512)-([A-Za-z0-9+/]+={0,2})'$/",
    'config',
    'CSP hash sources',
    ["'sha256-"],
  ),
  R('core/src/headers/csp.ts', '/^[a-z][a-z0-9+.-]*:$/i', 'config', 'CSP scheme sources'),
  R(
    'core/src/headers/csp.ts',
    String.raw`/^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(?:\d{1,5}|\*))?(?:\/[^\s;,'"]*)?$/i`,
    'config',
    'CSP host sources',
    ['https://', 'https://*.', 'a.', 'a:1/'],
  ),
  R('core/src/headers/csp.ts', '/^allow-[a-z-]+$/', 'config', 'CSP sandbox tokens', ['allow-']),
  R('core/src/headers/csp.ts', '/[A-Z]/g', 'config', 'CSP directive names (camelCase keys)'),
  R('core/src/headers/csp.ts', String.raw`/[\s;,]/`, 'config', 'CSP sources'),
  R(
    'core/src/headers/csp.ts',
    '/^(nonce|sha256|sha384|sha512)-/',
    'config',
    'CSP sources given without quotes',
  ),
  R('core/src/headers/csp.ts', "/^'nonce-/i", 'config', 'CSP sources'),
  R(
    'core/src/headers/csp.ts',
    "/^[A-Za-z0-9\\-#=_/@.%*']+$/",
    'config',
    'CSP require-trusted-types-for / trusted-types values',
  ),
  R('core/src/headers/csp.ts', String.raw`/^https?:\/\/[^\s;,]+$/i`, 'config', 'CSP report-uri', [
    'https://',
  ]),
  R('core/src/headers/csp.ts', String.raw`/^\/[^\s;,]*$/`, 'config', 'CSP report-uri', ['/']),
  R(
    'core/src/headers/fields.ts',
    String.raw`/^[a-z*][a-z0-9_\-.*]*$/`,
    'config',
    'Reporting-Endpoints names',
  ),
  R(
    'core/src/headers/fields.ts',
    String.raw`/^https:\/\/[^\s"\\]+$/i`,
    'config',
    'Reporting-Endpoints URLs',
    ['https://'],
  ),
  R(
    'core/src/headers/fields.ts',
    String.raw`/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/[^\s"\\]*)?$/i`,
    'config',
    'Reporting-Endpoints URLs',
    ['http://localhost:1/'],
  ),
  R('core/src/headers/fields.ts', String.raw`/^\/[^\s"\\]*$/`, 'config', 'Reporting-Endpoints URLs', ['/']),
  R('core/src/headers/permissions-policy.ts', '/^[a-z][a-z0-9-]*$/', 'config', 'Permissions-Policy features'),
  R(
    'core/src/headers/permissions-policy.ts',
    String.raw`/^https?:\/\/(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/`,
    'config',
    'Permissions-Policy origins',
    ['https://', 'https://a.'],
  ),
  R('core/src/headers/policy.ts', '/^allow-from/i', 'config', 'frameOptions'),
  // Client IP
  // DPoP
  R(
    'core/src/dpop/htu.ts',
    '/%[0-9A-Fa-f]{2}/g',
    'request',
    'percent-escapes in the path of a proof htu and of the request',
  ),
  R(
    'core/src/dpop/htu.ts',
    String.raw`/[A-Za-z0-9\-._~]/`,
    'request',
    'one decoded escape (is it unreserved?)',
  ),
  R(
    'core/src/dpop/htu.ts',
    String.raw`/\.(:\d+)?$/`,
    'request',
    "a host's trailing dot before the port of a proof htu",
  ),
  R(
    'core/src/dpop/nonce.ts',
    String.raw`/^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/`,
    'request',
    'the nonce claim of a DPoP proof',
    ['0.'],
  ),
  R('core/src/dpop/verifier.ts', String.raw`/[\s,]/`, 'request', 'the DPoP header (two proofs joined)'),
  R('core/src/http/cidr.ts', '/^(0|[1-9][0-9]{0,2})$/', 'config', 'trustedProxies prefix lengths'),
  R('core/src/http/client-ip.ts', "/^[a-z0-9!#$%&'*+.^_`|~-]+$/", 'config', 'sealedHeader'),
  R('core/src/http/forwarded-hops.ts', '/^[0-9]{1,5}$/', 'request', 'ports in X-Forwarded-For and Forwarded'),
  R(
    'core/src/http/forwarded-hops.ts',
    "/^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$/",
    'request',
    'Forwarded parameter names and token values',
  ),
  R('core/src/http/forwarded-hops.ts', '/^_[A-Za-z0-9._-]+$/', 'request', 'Forwarded obfuscated ports', [
    '_',
  ]),
  R(
    'core/src/http/forwarded-hops.ts',
    String.raw`/\\(.)/g`,
    'request',
    'Forwarded quoted strings (unescaping)',
  ),
  // JWT
  R(
    'core/src/jwt/authorize.ts',
    String.raw`/^[\x21\x23-\x5B\x5D-\x7E]+$/`,
    'config',
    'required scopes of a route',
  ),
  R(
    'core/src/jwt/bearer.ts',
    String.raw`/^[A-Za-z0-9\-._~+/]+=*$/`,
    'request',
    'the Authorization: Bearer credentials',
  ),
  R(
    'core/src/jwt/bearer.ts',
    String.raw`/[A-Za-z0-9\-._~+/]*=*$/y`,
    'request',
    "a refused bearer token's characters past its decoded header",
  ),
  R('core/src/jwt/bearer.ts', '/[?&]access_token=/', 'request', 'the request URL'),
  R('core/src/jwt/crypto-node.ts', '/^[A-Za-z0-9_-]*$/', 'request', 'the signature part of a JWT'),
  R('core/src/jwt/verifier.ts', '/^Bearer(?: |$)/', 'request', 'the Authorization header scheme'),
  R('core/src/headers/extra.ts', "/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/", 'config', 'custom header names'),
  // mTLS
  R(
    'core/src/mtls/binding.ts',
    '/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/',
    'request',
    'the cnf.x5t#S256 claim of a verified token',
  ),
  R('core/src/mtls/forwarded-certificate.ts', '/^[a-z0-9_-]+$/', 'request', 'X-Forwarded-Client-Cert keys'),
  R(
    'core/src/mtls/forwarded-certificate.ts',
    '/^[A-Za-z0-9+/]*={0,2}$/',
    'request',
    'the body of a forwarded PEM certificate',
  ),
  R(
    'core/src/mtls/forwarded-certificate.ts',
    String.raw`/[\r\n\t ]/g`,
    'request',
    'the body of a forwarded PEM certificate',
  ),
  R(
    'core/src/mtls/verifier.ts',
    "/^[a-z0-9!#$%&'*+.^_`|~-]+$/",
    'config',
    'the forwarded certificate header name',
  ),
  // OAuth / OIDC
  R(
    'core/src/oauth/client-options.ts',
    '/^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/',
    'config',
    'idTokenAlgorithms',
  ),
  R('core/src/oauth/client-options.ts', String.raw`/^[\x21\x23-\x5b\x5d-\x7e]+$/`, 'config', 'scopes'),
  R(
    'core/src/oauth/cookie.ts',
    "/^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$/",
    'config',
    'names of the cookies bulwark sets',
  ),
  R(
    'core/src/oauth/cookie.ts',
    String.raw`/^[!#-+\--:<-[\]-~]*$/`,
    'config',
    'values of the cookies bulwark sets',
  ),
  R(
    'core/src/oauth/id-token.ts',
    String.raw`/^(application\/)?(at|logout|secevent)\+jwt$/i`,
    'idp',
    'the typ of an ID Token',
    ['application/'],
  ),
  R(
    'core/src/oauth/login.ts',
    String.raw`/^\/(?![/\\])[\x21-\x7e]*$/`,
    'request',
    'the post-login return path',
    ['/'],
  ),
  R('core/src/oauth/login.ts', "/^[!#$%&'*+\\-.^_`|~0-9A-Za-z]{1,64}$/", 'config', 'the login cookie name'),
  R('core/src/oauth/pkce.ts', String.raw`/^[A-Za-z0-9\-._~]{43,128}$/`, 'request', 'a PKCE code_verifier'),
  R(
    'core/src/oauth/redirect-uri.ts',
    '/[\\\\"<>^`{|}]/',
    'request',
    'a redirect_uri (at most 2048 characters), and registered URIs',
  ),
  R('core/src/oauth/redirect-uri.ts', '/%2e|%2f|%5c/i', 'request', 'the path of a redirect_uri', ['%2']),
  R(
    'core/src/oauth/redirect-uri.ts',
    String.raw`/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/`,
    'request',
    'the scheme of a redirect_uri',
    ['a.'],
  ),
  R('core/src/oauth/refresh-token.ts', '/^[A-Za-z0-9_-]{64}$/', 'request', 'a presented refresh token'),
  R(
    'core/src/oauth/state.ts',
    String.raw`/^1\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/`,
    'request',
    'the state of a callback',
    ['1.', '1.a.'],
  ),
  R(
    'core/src/oauth/token-endpoint.ts',
    '/%20/g',
    'request',
    'form values sent to the token endpoint (the callback code among them)',
  ),
  // Rate limiting
  R('core/src/ratelimit/buckets.ts', '/^[A-Za-z0-9_.-]{1,32}$/', 'config', 'bucket and tier names'),
  R('core/src/ratelimit/limiter-options.ts', '/^[A-Za-z0-9_.-]{1,32}$/', 'config', 'the limiter name'),
  R(
    'core/src/ratelimit/rate.ts',
    String.raw`/^([0-9]+)\s*\/\s*(?:([0-9]+)\s*)?([a-z]+)$/`,
    'config',
    "rates such as '100/min'",
    ['1', '1/', '1/1'],
  ),
  // Webhooks
  R(
    'core/src/webhooks/event-id.ts',
    '/^[A-Za-z0-9_+/=-]{1,256}$/',
    'request',
    'event ids: the id header, the id of a Stripe event body, and ids the app signs',
  ),
  R('core/src/webhooks/options.ts', '/^[a-z0-9][a-z0-9-]{0,63}$/', 'config', 'header names'),
  R('core/src/webhooks/options.ts', String.raw`/^[\x21-\x7e]{0,32}$/`, 'config', 'the signature prefix'),
  R(
    'core/src/webhooks/parse.ts',
    '/^v[0-9a-z]{1,8}$/',
    'request',
    'signature versions in the signature header',
    ['v'],
  ),
  R('core/src/webhooks/parse.ts', String.raw`/^\d{1,10}$/`, 'request', 'the timestamp header or t= element'),
  R('core/src/webhooks/parse.ts', '/^[a-z][a-z0-9]{0,7}$/', 'request', 'Stripe-Signature keys'),
  // NestJS
  R(
    'nestjs/src/answer.filter.ts',
    String.raw`/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/`,
    'config',
    "the media type of a refusal's Content-Type (bulwark's own replies), lowercased",
    ['a/'],
  ),
  // Redis stores
  R('redis/src/options.ts', '/^[A-Za-z0-9_.:-]{1,64}$/', 'config', 'the key prefix'),
  R('redis/src/options.ts', '/[{}%]/', 'request', 'store keys (webhook event ids among them)'),
  R('redis/src/options.ts', '/%/g', 'request', 'store keys'),
  R('redis/src/options.ts', String.raw`/\{/g`, 'request', 'store keys'),
  R('redis/src/options.ts', String.raw`/\}/g`, 'request', 'store keys'),
];

/**
 * Regexes built at run time. Each is bounded by the code around it; the test below checks that bound.
 * `fullMatch` wraps a user's RegExp from `cors.origins`: it only ever sees an Origin that is at most
 * `MAX_ORIGIN_LENGTH` characters and already parses as a serialised origin.
 */
const DYNAMIC: readonly { readonly file: string; readonly code: string; readonly on: string }[] = [
  {
    file: 'core/src/cors/origin.ts',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal, compared as text
    code: 'new RegExp(`^(?:${re.source})$`, re.flags)',
    on: 'the Origin header, after the length bound and the origin syntax check',
  },
];

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.[cm]?tsx?$/.test(name) && !/\.test\.[cm]?tsx?$/.test(name) && !name.endsWith('.d.ts'))
      yield path;
  }
}

interface Found {
  readonly literals: string[];
  readonly dynamic: string[];
}

/**
 * The lint half: every regex literal and every `RegExp(...)`, `.match(x)`, `.matchAll(x)`, `.search(x)`
 * whose argument is not a literal (a string argument is compiled to a RegExp), read from the TypeScript AST
 * so comments and strings never count.
 */
function scan(): Found {
  const literals: string[] = [];
  const dynamic: string[] = [];
  for (const pkg of readdirSync(packagesDir).sort()) {
    if (pkg === 'conformance') continue; // private test harness: it reads our own responses, never a client's
    const src = join(packagesDir, pkg, 'src');
    if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const path of sourceFiles(src)) {
      const file = relative(packagesDir, path).split('\\').join('/');
      const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) literals.push(`${file} ${node.getText()}`);
        else if (
          (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
          ts.isIdentifier(node.expression) &&
          node.expression.text === 'RegExp'
        ) {
          dynamic.push(`${file} ${node.getText()}`);
        } else if (
          ts.isCallExpression(node) &&
          ts.isPropertyAccessExpression(node.expression) &&
          ['match', 'matchAll', 'search'].includes(node.expression.name.text) &&
          node.arguments[0] !== undefined &&
          node.arguments[0].kind !== ts.SyntaxKind.RegularExpressionLiteral
        ) {
          dynamic.push(`${file} ${node.getText()}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
  }
  return { literals: literals.sort(), dynamic: dynamic.sort() };
}

function compile(literal: string): RegExp {
  const end = literal.lastIndexOf('/');
  return new RegExp(literal.slice(1, end), literal.slice(end + 1));
}

const KB64 = 64 * 1024;
// One character at a time, then the pairs that exercise separators, quotes, escapes and label structure.
const PUMPS = [
  ...' \t\r\n\0aA0.-_,;:=/\\"\'%+*!~#@[]{}()<>?&|^`$\u00e9',
  ' \t',
  '\t ',
  ', ',
  ' ,',
  '; ',
  ',;',
  '=,',
  'a=',
  '=a',
  'a;',
  'a,',
  'a ',
  ' a',
  'a.',
  '.a',
  'a-',
  '-a',
  '0.',
  '0:',
  ':0',
  'a:',
  '%2',
  '\\"',
  '"\\"',
  '""',
  '"a"',
  'a/',
  '/a',
];
// Before the pumped run: nothing, a character that defeats a leading `^` alternative (`^x+|x+$` is only
// quadratic once the start cannot match), and the entry's own near-match prefixes.
// What ends the pumped run: characters outside almost every class, so each regex has to give up.
const SUFFIXES = ['\0', '\n', '"', ''];

function run(re: RegExp, input: string): void {
  if (re.global) input.replace(re, '');
  else re.exec(input);
}

const BUDGET_MS = 100;

/**
 * The first adversarial input on which a regex overruns the budget, or undefined. Why an absolute budget and
 * not the ratio of a 16 KB to a 64 KB run: a linear regex answers 64 KB in well under a millisecond, where a
 * ratio is mostly timer and GC noise, while a quadratic one takes seconds (the old `Forwarded` trim: 5 s on
 * 64 KB of spaces; `/\/+$/` on 64 KB of slashes: 2.5 s). 100 ms leaves a wide margin on both sides. A run over
 * budget is repeated twice and the fastest of the three counts: a stall of this shared machine hits one
 * run, while a quadratic regex is slow every time.
 */
function overrun(re: RegExp, near: readonly string[]): string | undefined {
  for (const prefix of ['', 'a', ...near]) {
    for (const pump of PUMPS) {
      const body = pump.repeat(Math.ceil(KB64 / pump.length)).slice(0, KB64);
      for (const suffix of SUFFIXES) {
        const input = prefix + body + suffix;
        let ms = Number.POSITIVE_INFINITY;
        for (let attempt = 0; attempt < 3 && ms > BUDGET_MS; attempt++) {
          const t0 = performance.now();
          run(re, input);
          ms = Math.min(ms, performance.now() - t0);
        }
        if (ms > BUDGET_MS) {
          const what = `${JSON.stringify(prefix)} + ${JSON.stringify(pump)} × ${KB64 / pump.length} + ${JSON.stringify(suffix)}`;
          return `${ms.toFixed(0)} ms on ${what}`;
        }
      }
    }
  }
  return undefined;
}

describe('regular expressions in the shipped sources', () => {
  const found = scan();
  const key = (e: { file: string; regex: string }) => `${e.file} ${e.regex}`;
  // Checked: everything found in the sources, listed or not, so a regex added without a listing is still
  // analysed and timed (with the prefixes of its listing when it has one).
  const checked = [...new Set(found.literals)].map((k) => {
    const entry = REGEXES.find((e) => key(e) === k);
    return { key: k, re: compile(k.slice(k.indexOf(' ') + 1)), near: entry?.near ?? [] };
  });

  it('are all listed here, with what they read (a new one fails until it is listed)', () => {
    const listed = REGEXES.map(key);
    expect(
      { unlisted: without(found.literals, listed), stale: without(listed, found.literals) },
      'list each regex of packages/*/src in REGEXES of packages/core/src/regex-inventory.test.ts, with what it reads',
    ).toEqual({
      unlisted: [],
      stale: [],
    });
    expect(found.dynamic).toEqual(DYNAMIC.map((d) => `${d.file} ${d.code}`).sort());
  });

  it('none backtracks super-linearly on a repeated character (static analysis, scslre)', () => {
    expect(checked.length).toBeGreaterThan(50);
    const reports = checked.flatMap(({ key, re }) =>
      analyse({ source: re.source, flags: re.flags }).reports.map(
        (r) =>
          `${key}: ${r.type}${r.exponential ? ' (exponential)' : ''} on ${JSON.stringify(r.character.pick)}`,
      ),
    );
    expect(reports).toEqual([]);
  });

  it('each answers 64 KB adversarial inputs within the budget (separators, spaces, quotes, near-matches)', () => {
    const slow: string[] = [];
    for (const { key, re, near } of checked) {
      const over = overrun(re, near);
      if (over !== undefined) slow.push(`${key}: ${over}`);
    }
    expect(slow).toEqual([]);
  }, 120_000);
});

/** `list` minus `remove`, as multisets: a regex written twice in one file must be listed twice. */
function without(list: readonly string[], remove: readonly string[]): string[] {
  const rest = [...remove];
  return list.filter((x) => {
    const i = rest.indexOf(x);
    if (i === -1) return true;
    rest.splice(i, 1);
    return false;
  });
}
