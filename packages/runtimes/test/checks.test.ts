import { request } from 'node:http';
import type { RunningApp } from '@bulwark/conformance';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Runtime, remoteHarness } from './remote.js';

const tools = inject('tools');
const bundles = inject('bundles');

// Two clients on two loopback addresses: the runtime sees two socket peers (workerd writes each into
// cf-connecting-ip, as Cloudflare's edge does).
const clientA = '127.0.0.1';
const clientB = '127.0.0.2';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** One GET from the given local address, over a new connection (node's http client binds it). */
function get(
  app: RunningApp,
  path: string,
  from = clientA,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, app.url), { localAddress: from, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        const json = (res.headers['content-type'] ?? '').includes('json');
        resolve({ status: res.statusCode!, headers: res.headers, body: json ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const RUNS: { runtime: Runtime; bundle: string }[] = [
  { runtime: 'bun', bundle: 'checks-bun-native.js' },
  { runtime: 'deno', bundle: 'checks-deno-native.js' },
  { runtime: 'workerd', bundle: 'checks-workerd-web.js' },
];

for (const { runtime, bundle } of RUNS) {
  describe(`${runtime}: the client address`, () => {
    let app: RunningApp;
    beforeAll(async () => {
      const harness = remoteHarness({ name: runtime, runtime, bundle: bundles[bundle]!, tools });
      app = await harness.start(runtime === 'workerd' ? ({ platform: 'cloudflare' } as never) : {});
    });
    afterAll(async () => {
      await app?.close();
    });

    it.each(['/ip', '/nonce-ip', '/nested-ip', '/hono-ip', '/hono-nonce-ip'])(
      'two clients, two buckets on %s: one client spending its limit leaves the other untouched',
      async (path) => {
        expect((await get(app, path, clientA)).status).toBe(200);
        expect((await get(app, path, clientA)).status).toBe(200);
        const limited = await get(app, path, clientA);
        expect(limited.status).toBe(429);
        expect((limited.body as { code: string }).code).toBe('RATELIMIT_EXCEEDED');
        // The other client's own bucket: its first request, one of two left.
        const other = await get(app, path, clientB);
        expect(other.status).toBe(200);
        // (Nested, the outer limiter's fields are the ones on the response.)
        if (path !== '/nested-ip') expect(other.headers.ratelimit).toMatch(/^"ip";r=1;t=\d+$/);
      },
    );

    it('a request whose address nobody knows gets a loud 500, never a shared bucket', async () => {
      for (const client of [clientA, clientB]) {
        const res = await get(app, '/dropped', client);
        expect(res.status).toBe(500);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect((res.body as { code: string }).code).toBe('RATELIMIT_CLIENT_IP_UNKNOWN');
      }
    });

    it('admits exactly the limit out of 100 concurrent requests from one client', async () => {
      const all = await Promise.all(Array.from({ length: 100 }, () => get(app, '/ip', '127.0.0.3')));
      expect(all.filter((r) => r.status === 200)).toHaveLength(2);
      expect(all.filter((r) => r.status === 429)).toHaveLength(98);
    });

    it('builds the app once and knows whether it runs on Workers', async () => {
      expect((await get(app, '/runtime')).body).toEqual({ workers: runtime === 'workerd' });
      for (let i = 0; i < 5; i++) await get(app, '/runtime');
      expect((await get(app, '/builds')).body).toEqual({ builds: 1 });
    });

    if (runtime === 'workerd') {
      it('Workers: a per-IP limiter without the platform named is a ConfigError when built', async () => {
        const { thrown } = (await get(app, '/config-error')).body as { thrown: string | null };
        expect(thrown).toMatch(/^ratelimit\.clientIp\.platform: .*clientIp: \{ platform: 'cloudflare' \}/);
      });

      it('Workers: memory stores warn at startup that they count per isolate', async () => {
        const { warnings } = (await get(app, '/warnings')).body as { warnings: string[] };
        expect(warnings.some((w) => /stores\.ratelimit is a memory store.*per isolate/.test(w))).toBe(true);
      });

      it('Workers: the edge header is the client (Cloudflare overwrites it; IPv6 clients by /64)', async () => {
        const at = (ip: string) => get(app, '/ip', clientA, { 'cf-connecting-ip': ip });
        expect((await at('203.0.113.7')).status).toBe(200);
        expect((await at('203.0.113.7')).status).toBe(200);
        expect((await at('203.0.113.7')).status).toBe(429);
        expect((await at('203.0.113.8')).status).toBe(200);
        expect((await at('2001:db8:1:2::1')).status).toBe(200);
        expect((await at('2001:db8:1:2::ffff')).status).toBe(200);
        expect((await at('2001:db8:1:2:abcd::9')).status).toBe(429);
        expect((await at('2001:db8:1:3::1')).status).toBe(200);
      });
    } else {
      it('not Workers: no ConfigError and no per-isolate warning', async () => {
        expect((await get(app, '/config-error')).body).toEqual({ thrown: null });
        const { warnings } = (await get(app, '/warnings')).body as { warnings: string[] };
        expect(warnings.filter((w) => w.startsWith('bulwark:'))).toEqual([]);
      });
    }
  });
}
