import {
  AUDIENCE,
  DPOP_EXTERNAL_URL,
  ISSUER,
  makeDpopKey,
  makeTestKeys,
  mint,
  signProof,
} from '@bulwark/conformance';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  cors,
  createJwtVerifier,
  isSecurityError,
  rateLimit,
  requireJwt,
  type SecurityHeadersVariables,
  securityHeaders,
  verifyWebhook,
} from '../src/index.js';

const SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const sender = new Webhook(SECRET);

function delivery(id: string, body: string): RequestInit {
  const at = new Date();
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': sender.sign(id, at, body),
    },
  };
}

const jwtOptions = {
  algorithms: ['ES256' as const],
  issuer: 'https://id.example.com/',
  audience: 'orders',
  jwksUri: 'https://id.example.com/.well-known/jwks.json',
};

describe('@bulwark/hono', () => {
  it("answers a denial through Hono's default error handler as problem+json, and hands a custom onError the HTTPException with the SecurityError as its cause", async () => {
    const plain = new Hono();
    plain.get('/me', requireJwt(jwtOptions), (c) => c.json({ sub: c.var.claims.sub }));
    const res = await plain.request('/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await res.json()) as { code: string }).code).toBe('JWT_MISSING');

    const seen: unknown[] = [];
    const custom = new Hono();
    custom.onError((error, c) => {
      seen.push(error);
      return error instanceof HTTPException ? error.getResponse() : c.text('no', 500);
    });
    custom.get('/me', requireJwt(jwtOptions), (c) => c.json({ sub: c.var.claims.sub }));
    expect((await custom.request('/me', { headers: { authorization: 'Bearer x.y.z' } })).status).toBe(401);
    expect(seen).toHaveLength(1);
    const error = seen[0] as HTTPException;
    expect(error).toBeInstanceOf(HTTPException);
    expect(error.status).toBe(401);
    expect(isSecurityError(error.cause)).toBe(true);
    expect((error.cause as { code: string }).code).toMatch(/^JWT_/);
    expect(error.message).not.toContain('x.y.z');
    // Thrown without a stack (denials are the common case under attack); the global limit is untouched.
    expect(error.stack ?? '').not.toMatch(/\n\s+at /);
    expect(new Error('x').stack).toMatch(/\n\s+at /);
  });

  it('hands the checked DPoP proof to the handler in c.var.dpop, and requires one on a required route', async () => {
    const keys = await makeTestKeys();
    const jwt = createJwtVerifier({
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [keys.ec.publicJwk],
      dpop: { externalUrl: DPOP_EXTERNAL_URL },
    });
    const app = new Hono();
    app.get('/transfers', requireJwt(jwt, { dpop: 'required' }), (c) =>
      c.json({ jkt: c.var.dpop?.jkt ?? null, sub: c.var.claims.sub }),
    );
    const key = makeDpopKey();
    const token = await mint(keys, { alg: 'ES256', claims: { cnf: { jkt: key.jkt } } });
    const proof = signProof(key, { method: 'GET', url: `${DPOP_EXTERNAL_URL}/transfers`, token });
    const ok = await app.request('/transfers', { headers: { authorization: `DPoP ${token}`, dpop: proof } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { jkt: string }).jkt).toBe(key.jkt);
    const bearer = await app.request('/transfers', {
      headers: { authorization: `Bearer ${await mint(keys, { alg: 'ES256' })}` },
    });
    expect(bearer.status).toBe(401);
    expect(((await bearer.json()) as { code: string }).code).toBe('DPOP_REQUIRED');
  });

  it('refuses a per-IP limit when the runtime gave no client address (500), never pooling clients', async () => {
    const app = new Hono();
    app.get('/rl', rateLimit({ rate: '100/min', clientIp: { onEvent: () => {} } }), (c) => c.text('ok'));
    // app.request() passes no runtime argument: no socket, no server, no info.
    const res = await app.request('/rl');
    expect(res.status).toBe(500);
    expect(((await res.json()) as { code: string }).code).toBe('RATELIMIT_CLIENT_IP_UNKNOWN');
  });

  it('reads the client address from the runtime argument Hono passes as c.env (Deno info, Bun server)', async () => {
    const app = new Hono();
    const limit = { rate: '1/min', clientIp: { onEvent: () => {} } };
    app.get('/rl', rateLimit(limit), (c) => c.text('ok'));
    const deno = (hostname: string) => ({ remoteAddr: { transport: 'tcp', hostname, port: 1 } });
    const bun = (address: string) => ({ requestIP: () => ({ address, family: 'IPv4', port: 1 }) });
    expect((await app.request('/rl', {}, deno('192.0.2.1'))).status).toBe(200);
    expect((await app.request('/rl', {}, deno('192.0.2.1'))).status).toBe(429);
    expect((await app.request('/rl', {}, deno('192.0.2.2'))).status).toBe(200);
    expect((await app.request('/rl', {}, bun('192.0.2.3'))).status).toBe(200);
    expect((await app.request('/rl', {}, bun('192.0.2.3'))).status).toBe(429);
  });

  it("counts perRoute buckets by the matched handler's pattern, also when mounted app-wide", async () => {
    const app = new Hono();
    const client = { remoteAddr: { transport: 'tcp', hostname: '192.0.2.9', port: 1 } };
    app.use(
      rateLimit({
        name: 'routes',
        clientIp: { onEvent: () => {} },
        buckets: [{ name: 'route', rate: '1/min', perRoute: true }],
      }),
    );
    app.get('/a/:id', (c) => c.text('a'));
    app.get('/b/:id', (c) => c.text('b'));
    expect((await app.request('/a/1', {}, client)).status).toBe(200);
    // Another URL of the same route pattern: the same bucket.
    expect((await app.request('/a/2', {}, client)).status).toBe(429);
    expect((await app.request('/b/1', {}, client)).status).toBe(200);
  });

  it('verifies a webhook and leaves the body readable through c.req.json() and c.req.text()', async () => {
    const app = new Hono();
    app.post('/hooks', verifyWebhook({ scheme: 'standard', secrets: SECRET }), async (c) =>
      c.json({ id: c.var.webhook.id, parsed: await c.req.json(), text: await c.req.text() }),
    );
    const body = '{"type":"invoice.paid","amount":1}';
    const res = await app.request('/hooks', delivery('msg_hono_1', body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: 'msg_hono_1',
      parsed: { type: 'invoice.paid', amount: 1 },
      text: body,
    });
  });

  it('verifies from the text Hono kept when an earlier middleware read c.req.json(), and refuses it altered', async () => {
    const app = new Hono();
    app.use(async (c, next) => {
      await c.req.json(); // a validator, a logger
      await next();
    });
    app.post('/hooks', verifyWebhook({ scheme: 'standard', secrets: SECRET }), (c) =>
      c.json({ id: c.var.webhook.id }),
    );
    const body = '{ "type": "invoice.paid", "note": "caf\u00e9 ☕" }';
    const ok = await app.request('/hooks', delivery('msg_hono_2', body));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ id: 'msg_hono_2' });
    const signed = delivery('msg_hono_2b', body);
    const altered = await app.request('/hooks', { ...signed, body: body.replace('paid', 'void') });
    expect(altered.status).toBe(401);
    expect(((await altered.json()) as { code: string }).code).toBe('WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('releases the claim when the handler throws, so the retry is processed', async () => {
    let calls = 0;
    const app = new Hono();
    app.onError((_error, c) => c.text('failed', 500));
    app.post('/hooks', verifyWebhook({ scheme: 'standard', secrets: SECRET }), (c) => {
      calls++;
      if (calls === 1) throw new Error('database down');
      return c.json({ handled: true });
    });
    const body = '{"type":"invoice.paid"}';
    expect((await app.request('/hooks', delivery('msg_hono_3', body))).status).toBe(500);
    const retry = await app.request('/hooks', delivery('msg_hono_3', body));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ handled: true });
    // Processed once: the next copy is the duplicate answer, and the handler does not run again.
    const duplicate = await app.request('/hooks', delivery('msg_hono_3', body));
    expect(await duplicate.json()).toEqual({ received: true, duplicate: true });
    expect(calls).toBe(2);
  });

  it('puts the headers on a response whose headers are immutable (a fetch() result), Vary merged', async () => {
    const app = new Hono();
    app.use(securityHeaders());
    app.use(cors({ origins: ['https://app.example.com'] }));
    app.get('/proxied', async () => {
      const upstream = Response.redirect('https://upstream.example.com/', 302); // immutable headers
      return upstream;
    });
    app.get('/vary', (c) => {
      c.header('Vary', 'Accept-Encoding');
      return c.text('ok');
    });
    const res = await app.request('/proxied', { headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://upstream.example.com/');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const vary = await app.request('/vary', { headers: { origin: 'https://app.example.com' } });
    expect(vary.headers.get('vary')?.split(/,\s*/).sort()).toEqual(['Accept-Encoding', 'Origin']);
  });

  it('hands the handler the nonce the CSP header carries, typed in c.var', async () => {
    const app = new Hono<{ Variables: SecurityHeadersVariables }>();
    app.use(securityHeaders({ preset: 'web' }));
    app.get('/', (c) => c.html(`<script nonce="${c.var.cspNonce}"></script>`));
    const res = await app.request('/');
    const nonce = /nonce="([^"]+)"/.exec(await res.text())?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(res.headers.get('content-security-policy')).toContain(`'nonce-${nonce}'`);
  });
});
