import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, type KeyPair, keyPair, token } from '../../test/jwt-fixtures.js';
import type { SecurityEvent } from '../events.js';
import type { RequestLike } from '../http/request.js';
import { createCorsPolicy } from '../cors/policy.js';
import { createJwtVerifier } from '../jwt/verifier.js';
import { createRateLimiter } from '../ratelimit/limiter.js';
import type { RateLimitStore } from '../stores/types.js';
import { boundEvent } from './bound.js';
import { attachEvents, createEventSink, type EventLogger } from './reporter.js';

/** Every console line written while a test runs, by method. */
const lines: { level: string; text: string }[] = [];
const saved = { error: console.error, warn: console.warn, info: console.info };
beforeAll(() => {
  for (const level of ['error', 'warn', 'info'] as const) {
    console[level] = (...args: unknown[]) => lines.push({ level, text: args.join(' ') });
  }
});
afterAll(() => Object.assign(console, saved));
afterEach(() => {
  lines.length = 0;
});

function capturingLogger(): EventLogger & {
  records: { level: string; event: SecurityEvent; message: string }[];
} {
  const records: { level: string; event: SecurityEvent; message: string }[] = [];
  return {
    records,
    error: (event, message) => records.push({ level: 'error', event, message }),
    warn: (event, message) => records.push({ level: 'warn', event, message }),
    info: (event, message) => records.push({ level: 'info', event, message }),
  };
}

const req = (
  headers: Record<string, string> = {},
  remoteAddress: string | null = '203.0.113.7',
): RequestLike => ({
  method: 'GET',
  url: '/orders',
  header: (name) => headers[name],
  ...(remoteAddress !== null ? { remoteAddress } : {}),
});

/** A JWKS endpoint on 127.0.0.1 that can be taken down and brought back. */
async function jwksServer(
  keys: () => unknown[],
): Promise<{ url: string; down: boolean; close(): Promise<void> }> {
  const state = { url: '', down: false, close: async () => {} };
  const server: Server = createServer((_req, res) => {
    if (state.down) res.writeHead(503).end('maintenance');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return state;
}

describe('a JWKS outage with nothing configured', () => {
  let k1: KeyPair;
  let idp: Awaited<ReturnType<typeof jwksServer>>;
  beforeAll(async () => {
    k1 = keyPair('RS256', 'k1');
    idp = await jwksServer(() => [k1.publicJwk]);
  });
  afterAll(() => idp.close());

  it('is written to the console once when it starts, not per request, and once when it ends', async () => {
    const clock = { ms: Date.now() };
    const verifier = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: idp.url,
      jwks: { cooldownMs: 1000, cacheMaxAgeMs: 60_000, maxStaleMs: 60_000 },
      now: () => clock.ms,
    });
    const bearer = (t: string) => req({ authorization: `Bearer ${t}` });
    const good = token(k1, Math.floor(clock.ms / 1000));
    idp.down = true;
    for (let i = 0; i < 5; i++) {
      const v = await verifier.check(bearer(good));
      expect(!v.ok && v.error?.code).toBe('JWT_KEYS_UNAVAILABLE');
      clock.ms += 1500; // past the cooldown: every request tries again, and fails again
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('error');
    expect(lines[0]!.text).toMatch(
      /^bulwark: JWKS unreachable .*JWT_KEYS_UNAVAILABLE.*\(jwt\.jwks_unreachable\)$/,
    );
    // Never the token, nor anything of it.
    expect(lines[0]!.text).not.toContain(good.split('.')[2]!);

    idp.down = false;
    expect((await verifier.check(bearer(good))).ok).toBe(true);
    expect(lines).toHaveLength(2);
    expect(lines[1]!.level).toBe('info');
    expect(lines[1]!.text).toMatch(/JWKS reachable again .*\(jwt\.jwks_recovered\)$/);

    // Keys past their age while the endpoint is down: served stale, said once.
    idp.down = true;
    clock.ms += 61_000;
    for (let i = 0; i < 3; i++) {
      expect((await verifier.check(bearer(good))).ok).toBe(true);
      await new Promise((r) => setTimeout(r, 20)); // the background refresh settles
      clock.ms += 1500;
    }
    expect(lines.map((l) => l.text.match(/\((\S+)\)$/)?.[1])).toEqual([
      'jwt.jwks_unreachable',
      'jwt.jwks_recovered',
      'jwt.jwks_stale',
    ]);
    expect(lines[2]!.level).toBe('warn');
    // Beyond maxStaleMs nothing verifies any more: that is the outage again, said once.
    clock.ms += 61_000;
    expect((await verifier.check(bearer(good))).ok).toBe(false);
    expect((await verifier.check(bearer(good))).ok).toBe(false);
    expect(lines.at(-1)!.text).toMatch(/\(jwt\.jwks_unreachable\)$/);
    expect(lines).toHaveLength(4);
  });

  it('routine denials are not logged by default; logDenials writes a sample', async () => {
    const verifier = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: idp.url,
    });
    for (let i = 0; i < 50; i++) await verifier.check(req({ authorization: `Bearer not.a.token${i}` }));
    expect(lines).toEqual([]);

    const all = capturingLogger();
    const sampled = capturingLogger();
    const v2 = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUri: idp.url,
    });
    attachEvents(v2, createEventSink({ logger: all, logDenials: 1 }));
    attachEvents(v2, createEventSink({ logger: sampled, logDenials: 0.1 }));
    for (let i = 0; i < 400; i++) await v2.check(req({ authorization: `Bearer not.a.token${i}` }));
    expect(all.records).toHaveLength(400);
    expect(all.records[0]).toMatchObject({
      level: 'info',
      event: { type: 'jwt.rejected', rule: 'jwt', code: 'JWT_MALFORMED' },
    });
    // One in ten, give or take: far from none and far from all.
    expect(sampled.records.length).toBeGreaterThan(10);
    expect(sampled.records.length).toBeLessThan(120);
    expect(lines).toEqual([]);
  });
});

describe('jwt.rejected is built only when something receives it', () => {
  /** A bearer request that counts how often its URL is read (building the event reads it for `path`). */
  const counted = (authorization: string): RequestLike & { reads: number } => {
    const r = {
      reads: 0,
      method: 'GET',
      get url() {
        r.reads++;
        return '/orders?x=1';
      },
      header: (name: string) => (name === 'authorization' ? authorization : undefined),
      remoteAddress: '203.0.113.7',
    };
    return r;
  };
  const options = {
    algorithms: ['RS256' as const],
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: 'https://idp.example/jwks',
  };
  const expected = {
    type: 'jwt.rejected',
    rule: 'jwt',
    code: 'JWT_MALFORMED',
    method: 'GET',
    path: '/orders',
    detail: expect.any(String),
  };

  it('with nothing listening, refuses without building the event (its path is never read from the URL)', async () => {
    const quiet = createJwtVerifier(options);
    const listened = createJwtVerifier({ ...options, onEvent: () => {} });
    const a = counted('Bearer not.a.token');
    const b = counted('Bearer not.a.token');
    expect((await quiet.check(a)).ok).toBe(false);
    expect((await listened.check(b)).ok).toBe(false);
    // The refusal itself reads the URL (a token in the query is refused); building the event reads it again.
    expect(a.reads).toBeLessThan(b.reads);
    expect(lines).toEqual([]);
  });

  it('delivers it as before to an own hook, an app sink hook and a denial log', async () => {
    const own: SecurityEvent[] = [];
    const verifier = createJwtVerifier({ ...options, onEvent: (e) => own.push(e) });
    const viaSink: SecurityEvent[] = [];
    attachEvents(verifier, createEventSink({ onEvent: (e) => viaSink.push(e) }));
    const log = capturingLogger();
    attachEvents(verifier, createEventSink({ logger: log, logDenials: 1 }));
    const v = await verifier.check(counted('Bearer not.a.token'));
    expect(v.ok).toBe(false);
    expect(own).toEqual([expected]);
    expect(viaSink).toEqual([expected]);
    expect(log.records.map((x) => x.event)).toEqual([expected]);
    // Each on its own too: the sink hook alone, the sampled log alone.
    const hookOnly = createJwtVerifier(options);
    const hooked: SecurityEvent[] = [];
    attachEvents(hookOnly, createEventSink({ onEvent: (e) => hooked.push(e), logger: false }));
    await hookOnly.check(counted('Bearer not.a.token'));
    expect(hooked).toEqual([expected]);
    const logOnly = createJwtVerifier(options);
    const logged = capturingLogger();
    attachEvents(logOnly, createEventSink({ logger: logged, logDenials: 1 }));
    await logOnly.check(counted('Bearer not.a.token'));
    expect(logged.records.map((x) => x.event)).toEqual([expected]);
  });
});

describe('an app sink', () => {
  const failing: RateLimitStore = {
    consume: async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:6390');
    },
  };

  it('receives every event of the rules attached to it, after their own hook, and silences the fallback log', async () => {
    const own: SecurityEvent[] = [];
    const app: SecurityEvent[] = [];
    const limiter = createRateLimiter({ rate: '1/min', onEvent: (e) => own.push(e) });
    attachEvents(limiter, createEventSink({ onEvent: (e) => app.push(e) }));
    await limiter.check(req());
    await limiter.check(req());
    expect(own.map((e) => e.type)).toEqual(['ratelimit.limited']);
    expect(app).toEqual(own);
    expect(app[0]).toMatchObject({ rule: 'ratelimit', path: '/orders' });
    expect(app[0]!.code).toMatch(/^RATE/); // RATELIMIT_EXCEEDED in 1.0
    expect(lines).toEqual([]);
  });

  it('a degraded store is logged once to the framework logger, and its recovery once', async () => {
    let down = true;
    const store: RateLimitStore = {
      consume: async () => {
        if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:6390');
        return { allowed: true, remaining: 1, resetMs: 1000, retryAfterMs: 0 };
      },
    };
    const framework = capturingLogger();
    const limiter = createRateLimiter({ rate: '10/min', store });
    attachEvents(limiter, createEventSink({}, framework));
    for (let i = 0; i < 5; i++) expect((await limiter.check(req())).ok).toBe(true);
    down = false;
    for (let i = 0; i < 3; i++) await limiter.check(req());
    expect(framework.records.map((r) => [r.level, r.event.type])).toEqual([
      ['error', 'ratelimit.store_failing'],
      ['info', 'ratelimit.store_recovered'],
    ]);
    expect(framework.records[0]!.message).toMatch(/UNCOUNTED \(failMode 'open'\)/);
    expect(lines).toEqual([]);
  });

  it('an explicit logger is written to even when a hook is there; false writes nowhere', async () => {
    const logger = capturingLogger();
    const limiter = createRateLimiter({ rate: '10/min', store: failing, onEvent: () => {} });
    attachEvents(limiter, createEventSink({ logger }));
    await limiter.check(req());
    expect(logger.records.map((r) => r.event.type)).toEqual(['ratelimit.store_failing']);

    const silent = createRateLimiter({ rate: '10/min', store: failing });
    attachEvents(silent, createEventSink({ logger: false }));
    await silent.check(req());
    expect(lines).toEqual([]);
  });

  it('reaches a shared client-IP resolver: forwarded headers with no trusted proxy, once', async () => {
    const logger = capturingLogger();
    const limiter = createRateLimiter({ rate: '10/min' });
    attachEvents(limiter, createEventSink({}, logger));
    for (let i = 0; i < 3; i++) await limiter.check(req({ 'x-forwarded-for': '198.51.100.1' }));
    expect(logger.records.map((r) => [r.level, r.event.type])).toEqual([
      ['warn', 'client_ip.forwarded_ignored'],
    ]);
    expect(lines).toEqual([]);
  });

  it('an unknown client address is explained once, naming the option', async () => {
    const limiter = createRateLimiter({ rate: '10/min' });
    await limiter.check(req({}, null));
    await limiter.check(req({}, null));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.text).toMatch(
      /^bulwark: ratelimit 'rl': .*clientIp: \{ platform.*\(ratelimit\.client_ip_unknown\)$/,
    );
  });

  it('a hook that throws changes nothing for the request', async () => {
    const limiter = createRateLimiter({
      rate: '1/min',
      onEvent: () => {
        throw new Error('log pipeline down');
      },
    });
    const logger: EventLogger = {
      error: () => {
        throw new Error('x');
      },
      warn: () => {
        throw new Error('x');
      },
      info: () => {
        throw new Error('x');
      },
    };
    attachEvents(limiter, createEventSink({ logger, logDenials: 1 }));
    expect((await limiter.check(req())).ok).toBe(true);
    const second = await limiter.check(req());
    expect(!second.ok && second.error?.code).toMatch(/^RATE/);
  });

  it('options are checked at startup, naming the option', () => {
    expect(() => createEventSink({ logDenials: 2 }, undefined, 'events.')).toThrow(/^events\.logDenials: /);
    expect(() => createEventSink({ logDenials: -0.5 })).toThrow(/^logDenials: .*between 0 and 1/);
    expect(() => createEventSink({ logDenials: Number.NaN })).toThrow(/^logDenials: /);
    expect(() => createEventSink({ logger: console as never })).not.toThrow();
    expect(() => createEventSink({ logger: { warn() {} } as never })).toThrow(/^logger: .*pino/);
    expect(() => createEventSink({ onEvent: 'log' as never })).toThrow(/^onEvent: /);
  });
});

describe('bounded events', () => {
  it('cuts attacker-sized strings, removes control characters, keeps data flat', () => {
    const e = boundEvent(
      {
        type: 'jwt.rejected',
        detail: `bad\r\nINFO forged line ${'x'.repeat(2000)}`,
        path: `/${'a'.repeat(5000)}`,
        method: 'GET\u001b[31m',
        data: { nested: { token: 'secret' }, list: Array.from({ length: 40 }, (_, i) => `v${i}`), n: 3 },
      },
      'jwt',
    );
    expect(e.detail!.length).toBeLessThan(540);
    expect(e.detail).not.toMatch(/[\r\n]/);
    expect(e.path!.length).toBeLessThan(280);
    expect(e.method).toBe('GET?[31m');
    expect(e.data).toEqual({ list: [...Array.from({ length: 16 }, (_, i) => `v${i}`), '…(+24)'], n: 3 });
    expect(e.rule).toBe('jwt');
  });
});

describe('event options', () => {
  it('refuse unknown keys with the spelling meant', () => {
    expect(() => createEventSink({ logDenial: 0.1 } as never)).toThrow(/logDenial/);
    expect(() => createEventSink({ onevent: () => {} } as never, undefined, 'events.')).toThrow(
      /^events\.onevent/,
    );
  });
});

describe('startup warnings (cors.config_warning): held until the app sink is attached', () => {
  const cors = () => createCorsPolicy({ origins: ['https://app.example.com'], maxAgeSeconds: 90_000 });
  const preflight = (events?: ReturnType<typeof createEventSink>): RequestLike => ({
    method: 'OPTIONS',
    url: '/orders',
    header: (n) =>
      n === 'origin' ? 'https://app.example.com' : n === 'access-control-request-method' ? 'PUT' : undefined,
    ...(events !== undefined ? { events } : {}),
  });

  it('an app sink attached after construction receives it, and the console nothing', async () => {
    const policy = cors();
    const events: SecurityEvent[] = [];
    const sink = createEventSink({ onEvent: (e) => events.push(e) });
    expect(lines).toEqual([]);
    attachEvents(policy, sink);
    await policy.check(preflight(sink));
    expect(events.map((e) => e.type)).toEqual(['cors.config_warning']);
    expect(events[0]?.detail).toMatch(/maxAgeSeconds 90000s is above every browser cap/);
    expect(lines).toEqual([]);
  });

  it("a sink without onEvent writes it to its logger (the framework's), not the console", () => {
    const logger = capturingLogger();
    attachEvents(cors(), createEventSink({}, logger));
    expect(logger.records.map((r) => [r.level, r.event.type])).toEqual([['warn', 'cors.config_warning']]);
    expect(lines).toEqual([]);
  });

  it('without any sink, the console gets it once, when the rule first runs', async () => {
    const policy = cors();
    expect(lines).toEqual([]);
    await policy.check(preflight());
    await policy.check(preflight());
    expect(lines.map((l) => l.level)).toEqual(['warn']);
    expect(lines[0]?.text).toMatch(/maxAgeSeconds 90000s.*\(cors\.config_warning\)/);
  });

  it("the rule's own onEvent takes it at once, and then the console stays quiet", async () => {
    const own: SecurityEvent[] = [];
    const policy = createCorsPolicy({
      origins: ['https://app.example.com'],
      maxAgeSeconds: 90_000,
      onEvent: (e) => own.push(e),
    });
    expect(own.map((e) => e.type)).toEqual(['cors.config_warning']);
    await policy.check(preflight());
    expect(lines).toEqual([]);
  });
});

describe('Reporter.reaches: whether a report would reach a hook, a log or the held startup events', () => {
  it('never false for an event that would be delivered; exact for denials and hook-only events', async () => {
    const { EVENT_CATALOG } = await import('./catalog.js');
    const { Reporter } = await import('./reporter.js');
    const types = Object.keys(EVENT_CATALOG) as SecurityEvent['type'][];
    const setups: { name: string; own: boolean; sinks: Parameters<typeof createEventSink>[0][] }[] = [
      { name: 'nothing attached', own: false, sinks: [] },
      { name: 'own hook', own: true, sinks: [] },
      { name: 'sink with onEvent', own: false, sinks: [{ onEvent: () => {} }] },
      { name: 'sink with a logger', own: false, sinks: [{}] },
      { name: 'sink sampling denials', own: false, sinks: [{ logDenials: 1 }] },
      { name: 'sink logging nothing', own: false, sinks: [{ logger: false }] },
    ];
    for (const setup of setups) {
      for (const type of types) {
        let delivered = false;
        const deliver = (): void => {
          delivered = true;
        };
        const logger: EventLogger = { error: deliver, warn: deliver, info: deliver };
        const reporter = new Reporter(setup.own ? deliver : undefined, 'test');
        for (const options of setup.sinks) {
          const sink = createEventSink(options, logger);
          reporter.attach(sink.onEvent === undefined ? sink : { ...sink, onEvent: deliver });
        }
        const expected = reporter.reaches(type);
        const held = (reporter as unknown as { held?: unknown[] }).held?.length ?? 0;
        lines.length = 0;
        reporter.emit({ type, detail: 'x' });
        const heldNow = (reporter as unknown as { held?: unknown[] }).held?.length ?? 0;
        const reached = delivered || heldNow > held || lines.length > 0;
        // Degraded states ('logged') are rare: reaches may say true where every logger is switched off.
        if (EVENT_CATALOG[type as keyof typeof EVENT_CATALOG].visibility === 'logged') {
          if (reached) expect(expected, `${setup.name}: ${type}`).toBe(true);
        } else expect(reached, `${setup.name}: ${type}`).toBe(expected);
      }
    }
  });
});
