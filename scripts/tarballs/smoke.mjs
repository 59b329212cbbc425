// Run the compiled smoke apps of a prepared project (project.mjs) on one Node binary, over real HTTP:
// security headers on every response, a JWT route that answers 401 / 403 / 200 against a local JWKS,
// a rate limit counted in Redis; then which crypto back ends core's dist picks under the `node` and the
// `default` condition. Returns one `{ name, ok, detail }` per check.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';

const ISSUER = 'https://idp.smoke.test/';
const AUDIENCE = 'https://orders.smoke.test';

/** A local JWKS endpoint and a signer for its key (and for a key it does not publish). */
async function identityProvider() {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = JSON.stringify({
    keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: 'smoke', alg: 'RS256', use: 'sig' }],
  });
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks),
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = (claims, privateKey = key.privateKey) => {
    const now = Math.floor(Date.now() / 1000);
    const input = `${part({ alg: 'RS256', typ: 'JWT', kid: 'smoke' })}.${part({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims })}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  };
  return {
    uri: `http://127.0.0.1:${server.address().port}/jwks.json`,
    token,
    strangerKey: stranger.privateKey,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Start `node file`, resolve with its port once it prints `listening <port>`. */
function start(node, file, env, args = []) {
  const child = spawn(node, [file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" within 30 s:\n${output}`)), 30_000);
    const read = (chunk) => {
      output += chunk;
      const m = /listening (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return { port, stop: () => child.kill(), output: () => output };
}

/** Assertion helper: collect failures as sentences instead of throwing at the first. */
function expectations() {
  const failures = [];
  return {
    failures,
    equal(what, actual, expected) {
      if (actual !== expected)
        failures.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    },
    match(what, actual, pattern) {
      if (!pattern.test(actual ?? ''))
        failures.push(`${what}: ${JSON.stringify(actual)} does not match ${pattern}`);
    },
  };
}

function securityHeaders(expect, label, res) {
  expect.equal(`${label} x-content-type-options`, res.headers.get('x-content-type-options'), 'nosniff');
  expect.equal(`${label} x-frame-options`, res.headers.get('x-frame-options'), 'DENY');
  expect.match(
    `${label} content-security-policy`,
    res.headers.get('content-security-policy'),
    /default-src 'none'/,
  );
}

async function checkJwtApp(base, idp, expect) {
  const get = (path, token) =>
    fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const health = await get('/health');
  expect.equal('GET /health status', health.status, 200);
  securityHeaders(expect, 'GET /health', health);
  const none = await get('/orders');
  expect.equal('no token status', none.status, 401);
  expect.match('no token content-type', none.headers.get('content-type'), /^application\/problem\+json/);
  expect.match('no token www-authenticate', none.headers.get('www-authenticate'), /^Bearer/);
  securityHeaders(expect, 'the 401', none);
  const forged = await get('/orders', idp.token({ sub: 'mallory', scope: 'orders:read' }, idp.strangerKey));
  expect.equal('token signed by an unknown key', forged.status, 401);
  const narrow = await get('/orders', idp.token({ sub: 'ann', scope: 'profile' }));
  expect.equal('token without orders:read', narrow.status, 403);
  const good = await get('/orders', idp.token({ sub: 'ann', scope: 'orders:read' }));
  expect.equal('valid token status', good.status, 200);
  expect.equal('valid token body', JSON.stringify(await good.json()), '{"user":"ann"}');
}

async function checkRedisApp(base, _idp, expect) {
  const health = await fetch(`${base}/health`);
  securityHeaders(expect, 'GET /health', health);
  const statuses = [];
  let last;
  for (let i = 0; i < 4; i++) {
    last = await fetch(`${base}/limited`);
    statuses.push(last.status);
  }
  expect.equal('3/min limit in Redis, 4 requests', statuses.join(','), '200,200,200,429');
  expect.match('429 retry-after', last.headers.get('retry-after'), /^\d+$/);
}

/** Which core files load with and without the `node` condition, and that both back ends verify. */
async function checkConditions(node, dir) {
  const results = [];
  for (const mode of ['node', 'default']) {
    const log = join(dir, `conditions-${mode}-${process.pid}-${randomBytes(4).toString('hex')}.log`);
    const child = spawn(node, ['--import', './conditions-setup.mjs', 'conditions.mjs', mode, log], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const code = await new Promise((resolve) => {
      child.once('exit', resolve);
      child.once('error', (error) => {
        out += String(error);
        resolve(-1);
      });
    });
    const expect = expectations();
    const web = mode === 'default';
    try {
      const seen = JSON.parse(out.trim().split('\n').at(-1));
      expect.equal('exit code', code, 0);
      expect.equal('jwt back end', seen.jwtBackend, web ? 'webcrypto' : 'node');
      expect.equal('jwt verified', seen.jwt, true);
      expect.equal('webhook verified', seen.webhook, true);
      for (const file of ['dist/jwt/crypto', 'dist/webhooks/hmac', 'dist/bytes/sha256']) {
        const want = `${file}-${web ? 'web' : 'node'}.js`;
        const avoid = `${file}-${web ? 'node' : 'web'}.js`;
        if (!seen.loaded.includes(want))
          expect.failures.push(`${want} did not load (loaded: ${seen.loaded.join(', ')})`);
        if (seen.loaded.includes(avoid)) expect.failures.push(`${avoid} loaded too`);
      }
    } catch {
      expect.failures.push(`exit ${code}: ${out.trim()}`);
    }
    results.push({
      name: `core dist under the ${mode} condition picks ${web ? 'WebCrypto, imports no node builtin' : 'node:crypto'}`,
      ok: expect.failures.length === 0,
      detail: expect.failures.join('; '),
    });
  }
  return results;
}

/** Every check of a prepared project (`{ dir, apps }`, see project.mjs) on the Node binary `node`. */
export async function smoke(node, { dir, apps }) {
  const idp = await identityProvider();
  const results = [];
  try {
    for (const app of apps) {
      const platforms = app.name === 'nestjs' ? ['express', 'fastify'] : [undefined];
      for (const platform of platforms) {
        const label = `${app.name}${platform ? ` (${platform} platform)` : ''} ${app.format === 'esm' ? 'ESM' : 'CommonJS'}`;
        const env = {
          ISSUER,
          AUDIENCE,
          JWKS_URI: idp.uri,
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          REDIS_PREFIX: `smoke-${process.pid}-${randomBytes(6).toString('hex')}`,
        };
        const run = start(node, app.file, env, platform === 'fastify' ? ['--fastify'] : []);
        const expect = expectations();
        try {
          const base = `http://127.0.0.1:${await run.port}`;
          await (app.name === 'redis' ? checkRedisApp : checkJwtApp)(base, idp, expect);
          if (/ExperimentalWarning/.test(run.output()))
            expect.failures.push(`warning printed: ${run.output()}`);
        } catch (error) {
          expect.failures.push(String(error?.message ?? error));
        } finally {
          run.stop();
        }
        results.push({ name: label, ok: expect.failures.length === 0, detail: expect.failures.join('; ') });
      }
    }
    results.push(...(await checkConditions(node, dir)));
  } finally {
    await idp.close();
  }
  return results;
}
