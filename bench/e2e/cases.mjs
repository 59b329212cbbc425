// What each e2e case sends and must answer before it is timed: the variants' requests, the floors' checks
// (static-headers, bare-deny and bare-error must match what bulwark sends, bare-post must read the POST), and the deny
// cases (DENY: request, status and problem code). bench/e2e.mjs times them.
import { BARE_POST_BODY, DENY_BODY, WEBHOOK_REQUEST } from './config.mjs';

/** One request as fetch() sends it. */
function send(server, { path = '/json', ...init }) {
  return fetch(`http://127.0.0.1:${server.port}${path}`, init);
}

/** The floors that answer every request with bulwark's 401 (checked against it by checkBareDeny). */
export const REFUSAL_FLOORS = ['bare-deny', 'bare-error'];

/**
 * The request a variant is timed with, and the class its answers must be in: the webhook POST for `bare-post`,
 * the malformed-token GET of `deny-malformed` for the refusal floors `bare-deny` and `bare-error` (a 4xx), else a
 * GET /json with the valid token.
 */
export function variantRequest(variant, config) {
  if (variant === 'bare-post') return { request: WEBHOOK_REQUEST, expect: '2xx' };
  if (REFUSAL_FLOORS.includes(variant))
    return { request: DENY['deny-malformed'].request(config), expect: '4xx' };
  return { request: { headers: config.headers }, expect: '2xx' };
}

/** bare-post must answer the webhook POST 200 with its small JSON (the body read, nothing refused). */
async function checkBarePost(framework, server) {
  const res = await send(server, WEBHOOK_REQUEST);
  const body = await res.text();
  if (res.status !== 200 || body !== JSON.stringify(BARE_POST_BODY)) {
    throw new Error(
      `${framework}/bare-post: expected 200 ${JSON.stringify(BARE_POST_BODY)}, got ${res.status} ${body.slice(0, 200)}`,
    );
  }
}

/**
 * One request before timing: the variant must answer 200 with the JSON body (token accepted, CORS allowed);
 * bare-deny and bare-error answer every request with their refusal (checked against bulwark's by checkBareDeny).
 */
export async function check(framework, variant, server, headers) {
  if (REFUSAL_FLOORS.includes(variant)) return undefined;
  if (variant === 'bare-post') await checkBarePost(framework, server);
  const res = await send(server, { headers });
  const body = await res.text();
  if (res.status !== 200 || JSON.parse(body).hello !== 'world') {
    throw new Error(`${framework}/${variant}: expected 200 JSON, got ${res.status} ${body.slice(0, 200)}`);
  }
  const expectCors = variant === 'peer' || server.included.includes('cors');
  if (expectCors && res.headers.get('access-control-allow-origin') !== headers.origin) {
    throw new Error(`${framework}/${variant}: CORS header missing`);
  }
  const expectHeaders = variant === 'peer' || server.included.includes('headers');
  if (expectHeaders && !res.headers.get('x-content-type-options')) {
    throw new Error(`${framework}/${variant}: security headers missing`);
  }
  return res.headers;
}

/** Headers whose value differs from one response to the next; every other value must be the same. */
const PER_RESPONSE = new Set(['date', 'ratelimit']);

/**
 * A floor is only a floor if it answers what bulwark does: the same header names, and the same values but for the
 * per-response ones. Fails the run otherwise. `floor` and `reference` name the two responses in the error.
 */
function checkSameHeaders(where, [floor, floorHeaders], [reference, refHeaders]) {
  const names = (h) => [...h.keys()].sort();
  const a = names(floorHeaders);
  const b = names(refHeaders);
  const onlyFloor = a.filter((n) => !b.includes(n));
  const onlyRef = b.filter((n) => !a.includes(n));
  if (onlyFloor.length || onlyRef.length) {
    throw new Error(
      `${where}: not the headers of ${reference} (only in ${floor}: ${onlyFloor.join(', ') || 'none'}; ` +
        `only in ${reference}: ${onlyRef.join(', ') || 'none'})`,
    );
  }
  for (const n of a) {
    if (!PER_RESPONSE.has(n) && floorHeaders.get(n) !== refHeaders.get(n)) {
      throw new Error(
        `${where}: ${n} is ${JSON.stringify(floorHeaders.get(n))}, ${reference} sends ${JSON.stringify(refHeaders.get(n))}`,
      );
    }
  }
}

/** static-headers' 200 must carry the header pairs of bulwark-nojwt's 200 (answered: each variant's headers). */
export function checkStaticHeaders(framework, answered) {
  if (!answered['static-headers'] || !answered['bulwark-nojwt']) return;
  checkSameHeaders(
    `${framework}/static-headers`,
    ['static-headers', answered['static-headers']],
    ["bulwark-nojwt's 200", answered['bulwark-nojwt']],
  );
}

/**
 * A refusal floor (bare-deny, bare-error: `name`) must answer the malformed-token request exactly as the bulwark
 * variant refuses it: the same status, header names and values (but Date and RateLimit), and body bytes. The
 * floor's bytes are constants, so this is what keeps them from drifting away from bulwark's.
 */
export async function checkBareDeny(framework, floor, bulwark, config, name = 'bare-deny') {
  const request = DENY['deny-malformed'].request(config);
  const [a, b] = await Promise.all([send(floor, request), send(bulwark, request)]);
  const [aBody, bBody] = await Promise.all([a.text(), b.text()]);
  const where = `${framework}/${name}`;
  if (a.status !== b.status)
    throw new Error(`${where}: answered ${a.status}, bulwark refuses with ${b.status}`);
  if (aBody !== bBody || aBody !== DENY_BODY) {
    throw new Error(`${where}: body ${aBody.slice(0, 200)} is not bulwark's ${bBody.slice(0, 200)}`);
  }
  checkSameHeaders(where, [name, a.headers], ["bulwark's 401 (malformed token)", b.headers]);
}

/**
 * Deny-path cases, each against a bulwark server (the full stack, or one whose limit is already spent) with the
 * status and problem code it must answer. `request` builds the request from the run's config.
 */
const DISALLOWED_ORIGIN = 'https://evil.bench.example';
export const DENY = {
  'deny-malformed': {
    server: 'bulwark',
    label: 'deny: malformed bearer token (401)',
    group: 'malformed token',
    status: 401,
    code: 'JWT_MALFORMED',
    request: (config) => ({
      headers: { ...config.headers, authorization: `Bearer ${config.tokens.malformed}` },
    }),
  },
  'deny-alg-none': {
    server: 'bulwark',
    label: 'deny: unsigned `alg: none` token (401)',
    group: '`alg: none` token',
    status: 401,
    code: 'JWT_ALG_NOT_ALLOWED',
    request: (config) => ({
      headers: { ...config.headers, authorization: `Bearer ${config.tokens.algNone}` },
    }),
  },
  'deny-cors-preflight': {
    server: 'bulwark',
    label: 'deny: CORS preflight from a disallowed origin (403)',
    group: 'CORS preflight, disallowed origin',
    status: 403,
    code: 'CORS_ORIGIN_DENIED',
    request: () => ({
      method: 'OPTIONS',
      headers: {
        origin: DISALLOWED_ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    }),
  },
  'deny-webhook': {
    server: 'bulwark',
    label: 'deny: webhook with a bad signature (401)',
    group: 'webhook signature mismatch',
    status: 401,
    code: 'WEBHOOK_SIGNATURE_MISMATCH',
    // Well-formed (lowercase hex, 32 bytes), so the HMAC is computed and compared: not the secret's MAC.
    request: () => WEBHOOK_REQUEST,
  },
  'deny-limited': {
    server: 'bulwark-limited',
    label: 'deny: over the rate limit (429)',
    group: 'over the rate limit',
    status: 429,
    code: 'RATELIMIT_EXCEEDED',
    request: (config) => ({ headers: config.headers }),
  },
};

/** The deny case answers its status (and problem code) before timing; the limited server allows its first request. */
export async function checkDeny(framework, key, server, request) {
  const { status, code } = DENY[key];
  let last = '';
  for (let i = 0; i < 3; i++) {
    const res = await send(server, request);
    const body = await res.text();
    last = `${res.status} ${body.slice(0, 200)}`;
    if (res.status !== status) continue;
    if (code !== undefined && JSON.parse(body).code !== code) break;
    return;
  }
  throw new Error(`${framework}/${key}: expected ${status}${code ? ` ${code}` : ''}, got ${last}`);
}

/**
 * What the bulwark stack answers a simple GET from an origin not in the allowlist (the default CORS policy lets
 * it reach the route without a grant; `rejectDisallowedOrigins: true` would refuse it). Reported, not timed:
 * the timed CORS refusal is the preflight.
 */
export async function disallowedSimpleRequest(server, config) {
  const res = await send(server, { headers: { ...config.headers, origin: DISALLOWED_ORIGIN } });
  const body = await res.text();
  const grant = res.headers.get('access-control-allow-origin');
  const code = res.status >= 400 ? (JSON.parse(body).code ?? '') : '';
  return `${res.status}${code ? ` ${code}` : ''}${grant === null ? ', no grant' : `, grant ${grant}`}, Vary: ${res.headers.get('vary')}`;
}

/** What a deny case needs of the stack (a 401 needs the JWT rule, …); absent parts skip the case. */
export const NEEDS = {
  'deny-malformed': 'jwt',
  'deny-alg-none': 'jwt',
  'deny-cors-preflight': 'cors',
  'deny-limited': 'ratelimit',
};

/** What the report's notes say about the deny cases and the floors (how each is built and checked). */
export const CASE_NOTES = [
  'Deny groups: the deny case is timed in the same rounds as the allowed request to the same bulwark stack;' +
    ' "over the rate limit" uses a server whose limit (1 per hour) is spent, so every request gets 429.' +
    " `alg: none`: an unsigned token with the valid token's claims. CORS: a preflight (OPTIONS with" +
    ' Access-Control-Request-Method/-Headers) from an origin outside the allowlist. Webhook: a POST to the' +
    " bulwark variants' GitHub-style route (X-Hub-Signature-256, 64 lowercase hex digits that are not the body's" +
    ' HMAC) behind the same per-IP limiter; no bearer token, no Origin. Each deny case must answer its status and' +
    ' problem code before timing.',
  '"static-headers" is the bare route plus the header pairs of bulwark-nojwt\'s 200 (security headers, CORS' +
    ' grant and Vary, RateLimit-Policy and RateLimit) as constants, set the cheapest public way each framework' +
    ' has (express and NestJS: one middleware with res.setHeader; fastify: one onRequest hook with' +
    " reply.headers(object); fetch: the handler's Response headers); before timing, its 200 must carry the same" +
    " header names as bulwark-nojwt's, and the same values but for Date and RateLimit.",
  '"bare-post" is the bare app plus a POST /webhook route, timed with the webhook case\'s POST (same headers and' +
    ' body): it reads the body as bytes the cheapest public way each framework has (express: express.raw();' +
    ' fastify: a scope whose only content-type parser keeps the Buffer; NestJS: the app created with' +
    ' `rawBody: true`, as the bulwark variants are; fetch: request.arrayBuffer()) and answers 200 with a small' +
    ' JSON. It is the floor of the webhook refusal, which must read the same body before it can compute the' +
    ' HMAC; before timing it must answer that POST 200 with its JSON.',
  '"bare-deny" is the bare app answering every request with the bytes of bulwark\'s 401 for a malformed token' +
    " (status, the header pairs of static-headers plus WWW-Authenticate and the problem's Content-Type, the" +
    ' problem+json body, all constants), written the cheapest public way each framework has (fastify: an onRequest' +
    ' hook with reply.code().headers().send(); express and NestJS: one app-wide middleware with res.writeHead and' +
    " res.end, NestJS on express adding the ETag express's res.send adds to bulwark's refusal, computed once;" +
    ' fetch: a Response of constant parts), timed with the malformed-token request. It is the floor of answering' +
    ' a refusal; before timing its answer must have the status, header names and values (but Date and RateLimit)' +
    " and body of the bulwark variant's 401.",
  '"bare-error" answers with the same constants as bare-deny, but hands the refusal to the framework\'s own error' +
    " pipeline first, as bulwark's fastify and NestJS denials do so that the app's hooks and filters see them:" +
    " fastify: an onRequest hook calls done() with a stackless Error carrying statusCode, and the app's" +
    ' setErrorHandler writes the constants with reply.code().headers().send(); express: next(error) from one' +
    " middleware, an error middleware writes them with res.writeHead and res.end (bulwark's express middleware" +
    ' answers its refusals itself, so there bare-deny stays the floor); NestJS: a global guard throws a stackless' +
    " error, a global exception filter catching its class writes them to the platform's response" +
    ' (reply.code().headers().send() on fastify, res.writeHead and res.end with the constant ETag on express).' +
    ' fetch has no error pipeline, so no bare-error. Timed with the malformed-token request; checked before timing' +
    " as bare-deny is. It is the floor of a refusal that must go through the framework's error pipeline.",
];
