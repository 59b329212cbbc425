import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIENCE, bearer, call, ISSUER, makeTestKeys, mint, type TestKeys } from '@bulwark/conformance';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from './tools.js';

const tools = inject('tools');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The ```toml and ```js blocks of docs/runtimes.md's Workers section, which must be the example's files. */
function docBlock(lang: string, firstLine: string): string {
  const doc = readFileSync(join(REPO_ROOT, 'docs/runtimes.md'), 'utf8');
  for (const m of doc.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))) {
    if (m[1]!.startsWith(firstLine)) return m[1]!;
  }
  throw new Error(`docs/runtimes.md has no ${lang} block starting with ${firstLine}`);
}

// The documented Workers setup, run as a user runs it: `wrangler dev` in examples/fetch-api (and the same
// app in Hono, examples/hono-api), bundling the built @bulwark/fetch or @bulwark/hono with wrangler's own
// esbuild (workerd conditions: the WebCrypto back end), vars on the command line in place of wrangler.toml's
// and the webhook secret as a secret would arrive, in env.
for (const [example, title] of [
  ['fetch-api', 'workerd: examples/fetch-api under wrangler dev, as docs/runtimes.md shows it'],
  ['hono-api', 'workerd: examples/hono-api under wrangler dev'],
] as const)
  describe(title, () => {
    const EXAMPLE = join(REPO_ROOT, 'examples', example);
    let keys: TestKeys;
    let jwks: Server;
    let wrangler: ChildProcess;
    let url: string;
    let log = '';
    const persist = mkdtempSync(join(tmpdir(), 'bulwark-wrangler-'));

    beforeAll(async () => {
      keys = await makeTestKeys();
      jwks = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ keys: [keys.rsa.publicJwk, keys.ec.publicJwk] }));
      });
      await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
      const jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
      const [port, inspector] = [await freePort(), await freePort()];
      const vars = { ISSUER, AUDIENCE, JWKS_URI: jwksUri, WEBHOOK_SECRET: SECRET };
      wrangler = spawn(
        process.execPath,
        [
          tools.wrangler,
          'dev',
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--inspector-port',
          String(inspector),
          '--persist-to',
          persist,
          '--log-level',
          'info',
          ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
        ],
        {
          cwd: EXAMPLE,
          // Its own process group: wrangler starts workerd, and both end with it.
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', CI: '1' },
        },
      );
      url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`wrangler dev did not start:\n${log}`)), 90_000);
        const read = (chunk: Buffer) => {
          log += chunk.toString();
          const ready = /Ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
          if (ready) {
            clearTimeout(timer);
            resolve(ready[1]!);
          }
        };
        wrangler.stdout!.on('data', read);
        wrangler.stderr!.on('data', read);
        wrangler.once('exit', (code) => reject(new Error(`wrangler dev exited ${code}:\n${log}`)));
      });
    }, 120_000);

    afterAll(async () => {
      if (wrangler?.pid !== undefined && wrangler.exitCode === null) {
        const exited = new Promise((r) => wrangler.once('exit', r));
        process.kill(-wrangler.pid, 'SIGTERM');
        await exited;
      }
      jwks?.close();
      rmSync(persist, { recursive: true, force: true });
    });

    // The docs show the fetch example's files.
    if (example === 'fetch-api')
      it('the documented wrangler.toml and worker are the example files', () => {
        expect(docBlock('toml', '# `wrangler dev` serves')).toBe(
          readFileSync(join(EXAMPLE, 'wrangler.toml'), 'utf8'),
        );
        expect(docBlock('js', 'import {')).toBe(readFileSync(join(EXAMPLE, 'src/worker.mjs'), 'utf8'));
      });

    it('valid token 200, bad token 401 problem+json, security headers on both', async () => {
      const ok = await call(url, '/orders', { headers: bearer(await mint(keys, { alg: 'ES256' })) });
      expect(ok.status).toBe(200);
      expect(ok.json()).toEqual({ orders: [] });
      expect(ok.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      // Signed by another key under the same kid.
      const bad = await call(url, '/orders', { headers: bearer(await mint(await makeTestKeys())) });
      expect(bad.status).toBe(401);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((bad.json() as { code: string }).code).toBe('JWT_SIGNATURE_INVALID');
      expect(bad.headers['x-content-type-options']).toBe('nosniff');
    });

    it('CORS: a granted preflight is answered 204 before any route', async () => {
      const res = await call(url, '/orders', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    });

    it('two clients, two buckets: the address is the cf-connecting-ip the edge writes', async () => {
      const reset = (ip: string) =>
        call(url, '/password-reset', { method: 'POST', headers: { 'cf-connecting-ip': ip } });
      for (let i = 0; i < 5; i++) expect((await reset('198.51.100.1')).status).toBe(202);
      const limited = await reset('198.51.100.1');
      expect(limited.status).toBe(429);
      expect((limited.json() as { code: string }).code).toBe('RATELIMIT_EXCEEDED');
      expect((await reset('198.51.100.2')).status).toBe(202);
    });

    it('a webhook verified with the secret from env, replay answered as a duplicate', async () => {
      const hook = new Webhook(SECRET);
      const body = JSON.stringify({ type: 'payment.succeeded', amount: 4200 });
      const id = `msg_${Date.now()}`;
      const at = new Date();
      const headers = {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': hook.sign(id, at, body),
      };
      const first = await call(url, '/webhooks/payments', { method: 'POST', headers, body });
      expect(first.status).toBe(200);
      const again = await call(url, '/webhooks/payments', { method: 'POST', headers, body });
      expect(again.json()).toEqual({ received: true, duplicate: true });
      const forged = await call(url, '/webhooks/payments', {
        method: 'POST',
        headers: { ...headers, 'webhook-id': `${id}-2` },
        body,
      });
      expect(forged.status).toBe(401);
    });
  });
