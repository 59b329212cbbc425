import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { appendVary } from '../http/vary.js';
import type { Verdict } from '../verdict.js';
import { type CorsGrant, createCorsPolicy } from './policy.js';

function req(method: string, headers: Record<string, string | string[]> = {}): RequestLike {
  return {
    method,
    url: '/api/orders?x=1',
    header: (n) => {
      const v = headers[n];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    headerValues: (n) => {
      const v = headers[n];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
  };
}
const APP = 'https://app.example.com';
// The three outcomes: continue (actual request), answered here (preflight), refused (problem response).
const kind = (r: Verdict<CorsGrant>) => (r.ok ? 'actual' : r.error === undefined ? 'preflight' : 'denied');
const PROBLEM = new Set(['content-type', 'cache-control']);
// The headers the CORS rule decided (a denial's reply also carries the problem's own content-type/cache-control).
const h = (r: Verdict<CorsGrant>) =>
  Object.fromEntries(
    r.ok
      ? r.headers
      : r.error === undefined
        ? r.reply.headers
        : r.reply.headers.filter(([n]) => !PROBLEM.has(n)),
  );
const preflight = (origin: string, method = 'PUT', extra: Record<string, string> = {}) =>
  req('OPTIONS', { origin, 'access-control-request-method': method, ...extra });

describe('createCorsPolicy: actual requests', () => {
  const cors = createCorsPolicy({
    origins: [APP, 'https://*.tenants.example.com'],
    credentials: true,
    exposedHeaders: ['X-Request-Id'],
  });
  it('echoes an allowed origin with credentials and Vary: Origin', () => {
    const r = cors.check(req('GET', { origin: APP }));
    expect(r).toMatchObject({ ok: true, value: { granted: true } });
    expect(h(r)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': 'x-request-id',
      vary: 'Origin',
    });
    expect(cors.check(req('GET', { origin: APP }))).toBe(r);
    expect(
      h(cors.check(req('GET', { origin: 'https://acme.tenants.example.com' })))[
        'access-control-allow-origin'
      ],
    ).toBe('https://acme.tenants.example.com');
  });
  it('grants nothing to the origin attacks, but still sends Vary: Origin', () => {
    for (const origin of [
      'https://app.example.com.attacker.com',
      'https://evilapp.example.com',
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://app.example.com:443',
      'HTTPS://APP.EXAMPLE.COM',
      'https://app.example.com/',
      'null',
      `${APP}, https://evil.com`,
      `${APP} https://evil.com`,
      `https://${'a'.repeat(10_240)}.tenants.example.com`,
      'https://a.b.tenants.example.com',
      'https://tenants.example.com.evil.com',
    ]) {
      const r = cors.check(req('GET', { origin }));
      expect(r, origin).toMatchObject({ ok: true, value: { granted: false } });
      expect(h(r)).toEqual({ vary: 'Origin' });
    }
    // Two Origin headers, even if both are allowed.
    expect(cors.check(req('GET', { origin: [APP, APP] }))).toMatchObject({
      ok: true,
      value: { granted: false },
    });
  });
  it('sends Vary: Origin on requests without Origin', () => {
    expect(h(cors.check(req('GET')))).toEqual({ vary: 'Origin' });
  });
  it('can refuse other origins outright', () => {
    const events: SecurityEvent[] = [];
    const strict = createCorsPolicy({
      origins: [APP],
      rejectDisallowedOrigins: true,
      onEvent: (e) => events.push(e),
    });
    const r = strict.check(req('POST', { origin: 'https://evil.com' }));
    expect(!r.ok && r.error?.code).toBe('CORS_ORIGIN_DENIED');
    expect(!r.ok && r.reply.status).toBe(403);
    expect(events[0]).toMatchObject({ type: 'cors.denied', code: 'CORS_ORIGIN_DENIED', path: '/api/orders' });
    expect(kind(strict.check(req('POST', { origin: APP })))).toBe('actual');
  });
  it("'*' without credentials needs no Vary", () => {
    const pub = createCorsPolicy({ origins: '*' });
    expect(h(pub.check(req('GET', { origin: 'https://any.example' })))).toEqual({
      'access-control-allow-origin': '*',
    });
    expect(h(pub.check(req('GET')))).toEqual({});
  });
  it("'null' only when listed, and never with credentials", () => {
    const n = createCorsPolicy({ origins: ['null'] });
    expect(h(n.check(req('GET', { origin: 'null' })))['access-control-allow-origin']).toBe('null');
    expect(() => createCorsPolicy({ origins: ['null'], credentials: true })).toThrow(
      /cors\.origins\[0\]: the 'null' origin/,
    );
  });
  it('full-match regexes and reflect-any without credentials', () => {
    const re = createCorsPolicy({ origins: [/https:\/\/pr-\d+\.preview\.example\.com/] });
    expect(re.check(req('GET', { origin: 'https://pr-7.preview.example.com' }))).toMatchObject({
      ok: true,
      value: { granted: true },
    });
    expect(re.check(req('GET', { origin: 'https://pr-7.preview.example.com.evil.com' }))).toMatchObject({
      ok: true,
      value: { granted: false },
    });
    const any = createCorsPolicy({ dangerouslyReflectAnyOrigin: true });
    expect(h(any.check(req('GET', { origin: 'https://x.example' })))['access-control-allow-origin']).toBe(
      'https://x.example',
    );
    expect(any.check(req('GET', { origin: 'null' }))).toMatchObject({ ok: true, value: { granted: false } });
  });
  it('a RegExp origin only ever sees a serialised origin of at most 300 characters', () => {
    // The user's regex runs on client input; the bound is what keeps a careless one from a 64 KB header.
    const seen: string[] = [];
    const anything = /.*/;
    const policy = createCorsPolicy({ origins: [anything] });
    const spy = RegExp.prototype.test;
    RegExp.prototype.test = function (this: RegExp, s: string) {
      if (this.source === '^(?:.*)$') seen.push(s);
      return spy.call(this, s);
    };
    try {
      for (const origin of [
        `https://${'a'.repeat(65_536)}`,
        `https://a.example${' '.repeat(1000)}x`,
        'no origin',
      ]) {
        expect(policy.check(req('GET', { origin })), origin.slice(0, 20)).toMatchObject({
          ok: true,
          value: { granted: false },
        });
      }
      expect(policy.check(req('GET', { origin: `https://${'a'.repeat(280)}.example` }))).toMatchObject({
        ok: true,
        value: { granted: true },
      });
    } finally {
      RegExp.prototype.test = spy;
    }
    expect(seen).toEqual([`https://${'a'.repeat(280)}.example`]);
  });
});

describe('createCorsPolicy: preflight', () => {
  const cors = createCorsPolicy({
    origins: [APP],
    credentials: true,
    allowedHeaders: ['Content-Type', 'Authorization'],
  });
  it('answers 204, Content-Length 0, explicit lists, Max-Age 600', () => {
    const r = cors.check(
      preflight(APP, 'PUT', { 'access-control-request-headers': 'content-type,authorization' }),
    );
    expect(r).toMatchObject({ ok: false, reply: { status: 204 } });
    expect(kind(r)).toBe('preflight');
    expect(h(r)).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    });
  });
  it('refuses a disallowed origin, method or header without any grant', () => {
    const cases: [RequestLike, string][] = [
      [preflight('https://evil.com'), 'CORS_ORIGIN_DENIED'],
      [preflight(APP, 'PROPFIND'), 'CORS_METHOD_DENIED'],
      [
        preflight(APP, 'PUT', { 'access-control-request-headers': 'content-type, x-custom' }),
        'CORS_HEADERS_DENIED',
      ],
      [
        preflight(APP, 'PUT', {
          'access-control-request-headers': Array(100).fill('content-type').join(','),
        }),
        'CORS_HEADERS_DENIED',
      ],
    ];
    for (const [r, code] of cases) {
      const res = cors.check(r);
      expect(!res.ok && res.error?.code).toBe(code);
      expect(Object.keys(h(res))).toEqual(['vary']);
    }
  });
  it('treats OPTIONS without Access-Control-Request-Method as an actual request', () => {
    expect(kind(cors.check(req('OPTIONS', { origin: APP })))).toBe('actual');
  });
  it('answers Private Network Access only when opted in', () => {
    const ask = preflight(APP, 'GET', { 'access-control-request-private-network': 'true' });
    expect(h(cors.check(ask))['access-control-allow-private-network']).toBeUndefined();
    const pna = createCorsPolicy({ origins: [APP], allowPrivateNetwork: true });
    expect(h(pna.check(ask))['access-control-allow-private-network']).toBe('true');
  });
  it("'*' headers never cover Authorization", () => {
    const pub = createCorsPolicy({ origins: '*', allowedHeaders: ['*'] });
    expect(
      kind(pub.check(preflight('https://x.example', 'PUT', { 'access-control-request-headers': 'x-a' }))),
    ).toBe('preflight');
    expect(
      kind(
        pub.check(
          preflight('https://x.example', 'PUT', { 'access-control-request-headers': 'authorization' }),
        ),
      ),
    ).toBe('denied');
  });
});

describe('createCorsPolicy: methods as the Fetch standard normalises them', () => {
  const cors = createCorsPolicy({ origins: [APP], methods: ['get', 'Purge', 'patch', 'delete', 'PUT'] });
  const method = (m: string) => {
    const r = cors.check(preflight(APP, m));
    return !r.ok && r.error !== undefined ? r.error.code : kind(r);
  };
  it('upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT; other methods keep their case', () => {
    const r = cors.check(preflight(APP, 'DELETE'));
    expect(h(r)['access-control-allow-methods']).toBe('GET, Purge, patch, DELETE, PUT');
  });
  it('grants a custom method only in the exact case a browser sends it', () => {
    // fetch(url, { method: 'patch' }) sends `patch`: it is not one of the six normalised methods.
    expect(method('patch')).toBe('preflight');
    expect(method('PATCH')).toBe('CORS_METHOD_DENIED');
    expect(method('Purge')).toBe('preflight');
    expect(method('PURGE')).toBe('CORS_METHOD_DENIED');
    expect(method('DELETE')).toBe('preflight');
    expect(method('PUT')).toBe('preflight');
  });
  it('keeps PATCH and patch apart, and refuses CONNECT, TRACE and TRACK in any case', () => {
    const both = createCorsPolicy({ origins: [APP], methods: ['PATCH', 'patch', 'Get', 'GET'] });
    expect(h(both.check(preflight(APP, 'PATCH')))['access-control-allow-methods']).toBe('PATCH, patch, GET');
    for (const m of ['trace', 'Track', 'connect']) {
      expect(() => createCorsPolicy({ origins: [APP], methods: [m] }), m).toThrow(
        /cors\.methods\[0\]: .*forbidden/,
      );
    }
  });
});

describe('createCorsPolicy: hidden characters in configuration', () => {
  const hidden = [
    '\t',
    '\n',
    '\r',
    '\0',
    '\x7f',
    ' ',
    '\u0085',
    '\u00a0',
    '\u00ad',
    '\u200b',
    '\u2028',
    '\ufeff',
  ];
  it('refuses an origin with a control, whitespace or invisible character anywhere (URL parsing would drop it)', () => {
    for (const c of hidden) {
      for (const origin of [
        `${APP}${c}`,
        `${c}${APP}`,
        `https://app.exa${c}mple.com`,
        `https://*.exam${c}ple.com`,
      ]) {
        expect(() => createCorsPolicy({ origins: [APP, origin] }), JSON.stringify(origin)).toThrow(
          /cors\.origins\[1\]: .* at offset \d+/,
        );
      }
    }
    // The finding: a trailing tab used to be accepted as https://app.example.com.
    expect(() => createCorsPolicy({ origins: [`${APP}\t`] })).toThrow(
      'cors.origins[0]: "https://app.example.com\\u0009" contains a tab (U+0009) at offset 23',
    );
  });
  it('refuses the same in a RegExp source, a method or a header name', () => {
    for (const c of hidden) {
      // RegExp#source shows line terminators escaped (`\n`): only a character kept raw can hide.
      if (!'\n\r\u2028'.includes(c)) {
        expect(() => createCorsPolicy({ origins: [new RegExp(`https://a\\.example\\.com${c}`)] })).toThrow(
          /cors\.origins\[0\]\.source: /,
        );
      }
      expect(() => createCorsPolicy({ origins: [APP], methods: [`GET${c}`] })).toThrow(
        /cors\.methods\[0\]: /,
      );
      for (const option of ['allowedHeaders', 'exposedHeaders']) {
        expect(() => createCorsPolicy({ origins: [APP], [option]: [`x-a${c}`] })).toThrow(
          `cors.${option}[0]: `,
        );
      }
    }
  });
});

describe('createCorsPolicy: configuration', () => {
  const bad: [object, RegExp][] = [
    [{ origins: '*', credentials: true }, /cors\.origins: '\*' with credentials/],
    [{ dangerouslyReflectAnyOrigin: true, credentials: true }, /cors\.dangerouslyReflectAnyOrigin/],
    [{ origins: [APP], dangerouslyReflectAnyOrigin: true }, /cors\.origins: cannot be combined/],
    [{}, /cors\.origins: is required/],
    [{ origins: [] }, /non-empty/],
    [{ origins: ['https://app.example.com/'] }, /cors\.origins\[0\].*trailing slash/],
    [{ origins: ['https://app.example.com/path'] }, /cors\.origins\[0\]/],
    [{ origins: [APP, '*'] }, /cors\.origins\[1\]/],
    [{ origins: ['https://*.com'] }, /too broadly/],
    [{ origins: [/x/g] }, /flags/],
    [{ origins: [/x/y] }, /flags/],
    [{ origins: [42] }, /string or a RegExp/],
    [{ origins: [APP], credentials: true, methods: ['*'] }, /cors\.methods/],
    [{ origins: [APP], credentials: true, allowedHeaders: ['*'] }, /cors\.allowedHeaders/],
    [{ origins: [APP], methods: ['GET, POST'] }, /cors\.methods\[0\]/],
    [{ origins: [APP], methods: ['TRACE'] }, /forbidden/],
    [{ origins: [APP], maxAgeSeconds: -1 }, /cors\.maxAgeSeconds/],
    [{ origins: [APP], maxAgeSeconds: Number.NaN }, /cors\.maxAgeSeconds/],
    [
      { origins: [APP], credential: true },
      /cors\.credential: is not a known option \(did you mean credentials\?\)/,
    ],
    [{ origins: [APP], credentials: 'yes' }, /cors\.credentials/],
  ];
  it.each(bad)('refuses %j', (options, message) => {
    expect(() => createCorsPolicy(options as never)).toThrow(message);
  });
  it('warns above the browser Max-Age caps', () => {
    const events: SecurityEvent[] = [];
    createCorsPolicy({ origins: [APP], maxAgeSeconds: 7201, onEvent: (e) => events.push(e) });
    createCorsPolicy({ origins: [APP], maxAgeSeconds: 86401, onEvent: (e) => events.push(e) });
    createCorsPolicy({ origins: [APP], maxAgeSeconds: 7200, onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.detail)).toEqual([
      expect.stringContaining('Chromium cap of 7200s'),
      expect.stringContaining('every browser cap'),
    ]);
  });
});

describe('appendVary', () => {
  it('merges without duplicates', () => {
    expect(appendVary(undefined, 'Origin')).toBe('Origin');
    expect(appendVary('Accept-Encoding', 'Origin')).toBe('Accept-Encoding, Origin');
    expect(appendVary('origin', 'Origin')).toBe('origin');
    expect(appendVary('*', 'Origin')).toBe('*');
  });
});
