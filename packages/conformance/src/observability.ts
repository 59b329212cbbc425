import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  EventLogger,
  EventOptions,
  JwtVerifierOptions,
  RateLimiterOptions,
  SecurityEvent,
} from '@bulwark/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, call } from './http.js';
import { AUDIENCE, ISSUER, makeTestKeys, mint, type TestKeys } from './keys.js';

/** The rules of the observed app: `GET /orders` runs `rateLimit` then `requireJwt`; `GET /open` runs no rule. */
export interface ObservedRules {
  readonly jwt: JwtVerifierOptions;
  readonly rateLimit: RateLimiterOptions;
}

/** A running observed app. */
export interface ObservedApp {
  readonly url: string;
  /** The node server answering `url` (the telemetry suite runs each of its requests in a span). */
  readonly server: import('node:http').Server;
  close(): Promise<void>;
}

/**
 * What an adapter provides to prove its app-wide event sink: an app built with its idiomatic entry point
 * (fastify plugin options, BulwarkModule options, express `observe(app, …)`, fetch `protect` policy, Hono
 * `observe()`), and what the framework's own default logger wrote (fastify: pino; NestJS: Logger;
 * express, fetch and Hono: the console).
 */
export interface ObservabilityHarness {
  readonly name: string;
  /** `events` undefined: the app configures nothing about events. */
  start(rules: ObservedRules, events: EventOptions | undefined): Promise<ObservedApp>;
  /** Lines the framework's default logger received since the last call (then forgotten). */
  takeFrameworkLog(): string[];
}

/** A JWKS endpoint on 127.0.0.1 that can be taken down and brought back. */
async function startIdp(keys: TestKeys): Promise<{ url: string; down: boolean; close(): Promise<void> }> {
  const state = { url: '', down: false, close: async () => {} };
  const server: Server = createServer((_req, res) => {
    if (state.down) res.writeHead(503).end('maintenance');
    else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [keys.rsa.publicJwk] }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(() => r()));
  };
  return state;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A logger in the pino shape that keeps what it is given. */
function keepingLogger(): EventLogger & {
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

/**
 * The app-wide event sink of an adapter, over real HTTP: with nothing configured a JWKS outage reaches the
 * framework's logger once (and its recovery once), routine denials never; one `onEvent` receives the
 * events of every rule of the app; `logDenials` writes denials to the given logger.
 */
export function defineObservabilitySuite(harness: ObservabilityHarness): void {
  describe(`${harness.name}: app-wide events`, () => {
    let keys: TestKeys;
    let idp: Awaited<ReturnType<typeof startIdp>>;
    beforeAll(async () => {
      keys = await makeTestKeys();
      idp = await startIdp(keys);
    });
    afterAll(() => idp.close());

    // Fresh options objects per app: rules are shared by options object, and each test needs its own.
    const rules = (limit = 100): ObservedRules => ({
      jwt: {
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUri: idp.url,
        jwks: { cooldownMs: 1000 },
      },
      rateLimit: { rate: `${limit}/min` },
    });

    it('a JWKS outage reaches the framework log once with nothing configured, and its recovery once', async () => {
      harness.takeFrameworkLog();
      idp.down = true;
      const app = await harness.start(rules(), undefined);
      try {
        const token = await mint(keys);
        for (let i = 0; i < 4; i++) {
          expect((await call(app.url, '/orders', { headers: bearer(token) })).status).toBe(503);
        }
        let log = harness.takeFrameworkLog().filter((l) => l.includes('bulwark'));
        expect(log).toHaveLength(1);
        expect(log[0]).toMatch(/JWKS unreachable.*jwt\.jwks_unreachable/);
        expect(log[0]).not.toContain(token.split('.')[2]);
        idp.down = false;
        await sleep(1100); // past jwks.cooldownMs
        expect((await call(app.url, '/orders', { headers: bearer(token) })).status).toBe(200);
        expect((await call(app.url, '/orders', { headers: bearer(token) })).status).toBe(200);
        log = harness.takeFrameworkLog().filter((l) => l.includes('bulwark'));
        expect(log).toHaveLength(1);
        expect(log[0]).toMatch(/JWKS reachable again.*jwt\.jwks_recovered/);
        // Routine denials: not a word.
        for (let i = 0; i < 5; i++) {
          expect((await call(app.url, '/orders', { headers: bearer(`${token}x`) })).status).toBe(401);
        }
        expect(harness.takeFrameworkLog().filter((l) => l.includes('bulwark'))).toEqual([]);
      } finally {
        idp.down = false;
        await app.close();
      }
    });

    it('a startup warning (jwt.dangerouslyAllowHttpIssuer) reaches the app sink; the framework log only without one', async () => {
      const warned = (lines: string[]) => lines.filter((l) => l.includes('dangerouslyAllowHttpIssuer'));
      const flagged = (): ObservedRules => {
        const r = rules();
        return { ...r, jwt: { ...r.jwt, dangerouslyAllowHttpIssuer: true } };
      };
      harness.takeFrameworkLog();
      const events: SecurityEvent[] = [];
      const observed = await harness.start(flagged(), { onEvent: (e) => events.push(e) });
      try {
        expect((await call(observed.url, '/orders', { headers: bearer(await mint(keys)) })).status).toBe(200);
        const startup = events.filter((e) => e.type === 'jwt.config_warning');
        expect(startup).toHaveLength(1);
        expect(startup[0]).toMatchObject({ rule: 'jwt', detail: expect.stringMatching(/Development only/) });
        expect(warned(harness.takeFrameworkLog())).toEqual([]);
      } finally {
        await observed.close();
      }
      const quiet = await harness.start(flagged(), undefined);
      try {
        expect((await call(quiet.url, '/orders', { headers: bearer(await mint(keys)) })).status).toBe(200);
        expect((await call(quiet.url, '/orders', { headers: bearer(await mint(keys)) })).status).toBe(200);
        const log = warned(harness.takeFrameworkLog());
        expect(log).toHaveLength(1);
        expect(log[0]).toMatch(/jwt\.config_warning/);
      } finally {
        await quiet.close();
      }
    });

    it('one onEvent receives the events of every rule of the app; the framework log stays quiet', async () => {
      harness.takeFrameworkLog();
      const events: SecurityEvent[] = [];
      const app = await harness.start(rules(3), { onEvent: (e) => events.push(e) });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          statuses.push((await call(app.url, '/orders', { headers: bearer(`not.a.token${i}`) })).status);
        }
        expect(statuses).toEqual([401, 401, 401, 429]);
        expect(events.filter((e) => e.type === 'jwt.rejected').length).toBeGreaterThanOrEqual(3);
        const limited = events.find((e) => e.type === 'ratelimit.limited');
        expect(limited).toMatchObject({ rule: 'ratelimit', path: '/orders' });
        expect(events.find((e) => e.type === 'jwt.rejected')).toMatchObject({
          rule: 'jwt',
          code: 'JWT_MALFORMED',
        });
        expect(JSON.stringify(events)).not.toContain('not.a.token');
        expect(harness.takeFrameworkLog().filter((l) => l.includes('bulwark'))).toEqual([]);
      } finally {
        await app.close();
      }
    });

    it('logDenials writes routine denials to the app logger; the framework log stays quiet', async () => {
      harness.takeFrameworkLog();
      const logger = keepingLogger();
      const app = await harness.start(rules(), { logger, logDenials: 1 });
      try {
        expect((await call(app.url, '/orders')).status).toBe(401);
        expect((await call(app.url, '/open')).status).toBe(200);
        expect(logger.records.map((r) => [r.level, r.event.type, r.event.code])).toEqual([
          ['info', 'jwt.rejected', 'JWT_MISSING'],
        ]);
        expect(logger.records[0]!.message).toMatch(/^bulwark: .*\(jwt\.rejected\)$/);
        expect(harness.takeFrameworkLog().filter((l) => l.includes('bulwark'))).toEqual([]);
      } finally {
        await app.close();
      }
    });
  });
}
