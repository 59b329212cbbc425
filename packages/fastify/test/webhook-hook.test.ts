import { createHmac } from 'node:crypto';
import { createWebhookVerifier, type WebhookVerifier } from '@bulwark/core';
import Fastify, { type FastifyReply } from 'fastify';
import { describe, expect, it } from 'vitest';
import { BulwarkDenial, bulwark, rawWebhookBody, verifyWebhook } from '../src/index.js';

const SECRET = 'github-secret-0123456789';
const BODY = '{"zen":"Keep it logically awesome.","hook_id":1}';
const DELIVERY_ID = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const signature = `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`;
const HIDDEN = Symbol.for('bulwark.webhooks.checkNow');

/** The deliveries every app is sent, in order: the valid one twice (the second is a duplicate). */
const deliveries: [string, Record<string, string>][] = [
  ['forged', { 'x-hub-signature-256': `sha256=${'5a'.repeat(32)}`, 'x-github-delivery': DELIVERY_ID }],
  ['malformed', { 'x-hub-signature-256': 'sha256=zz', 'x-github-delivery': DELIVERY_ID }],
  ['missing', { 'x-github-delivery': DELIVERY_ID }],
  ['valid', { 'x-hub-signature-256': signature, 'x-github-delivery': DELIVERY_ID }],
  ['duplicate', { 'x-hub-signature-256': signature, 'x-github-delivery': DELIVERY_ID }],
];

/** An app whose webhook route calls the hook as fastify does (with done), noting whether done ran before it returned. */
async function run(verifier: WebhookVerifier) {
  const app = Fastify({ logger: false });
  await app.register(bulwark, {});
  const errors: string[] = [];
  app.addHook('onError', async (_request, _reply, error) => {
    errors.push(error instanceof BulwarkDenial ? error.code : `other: ${error.message}`);
  });
  const hook = verifyWebhook(verifier) as unknown as (...args: unknown[]) => unknown;
  const settledAtOnce: Record<string, boolean> = {};
  await app.register(async (scope) => {
    await scope.register(rawWebhookBody);
    scope.post(
      '/hooks/github',
      {
        preHandler: (request, reply, done) => {
          let called = false;
          const returned = hook.call(scope, request, reply, (err?: Error) => {
            called = true;
            done(err);
          });
          // An async hook (the old form) ignores done: carry its promise on so the request still ends.
          if (returned instanceof Promise) {
            returned.then(
              (answered) => {
                if (answered === undefined) done();
              },
              (err: Error) => done(err),
            );
          }
          settledAtOnce[String(request.headers['x-case'])] = called;
        },
      },
      async (request) => ({ id: request.webhook?.id ?? null }),
    );
  });
  const answers: Record<string, unknown> = {};
  for (const [name, headers] of deliveries) {
    const res = await app.inject({
      method: 'POST',
      url: '/hooks/github',
      headers: { 'content-type': 'application/json', 'x-case': name, ...headers },
      payload: BODY,
    });
    const { date: _date, ...rest } = res.headers;
    answers[name] = { status: res.statusCode, headers: rest, body: res.body };
  }
  await app.close();
  return { answers, errors, settledAtOnce, hookLength: hook.length };
}

describe('fastify verifyWebhook: a callback-style hook that refuses before it returns', () => {
  it('refuses a forged delivery at once and answers every delivery as the promise-only verifier does', async () => {
    const settled = await run(createWebhookVerifier({ scheme: 'github', secrets: SECRET }));
    const real = createWebhookVerifier({ scheme: 'github', secrets: SECRET });
    // The same verifier seen through its promise-returning check() only (another copy of core).
    const promiseOnly = new Proxy(real, { get: (t, k) => (k === HIDDEN ? undefined : Reflect.get(t, k)) });
    const viaPromise = await run(promiseOnly);
    expect(settled.hookLength).toBe(3);
    expect(settled.answers).toEqual(viaPromise.answers);
    expect(settled.errors).toEqual(viaPromise.errors);
    expect(settled.errors).toEqual([
      'WEBHOOK_SIGNATURE_MISMATCH',
      'WEBHOOK_SIGNATURE_MALFORMED',
      'WEBHOOK_HEADER_MISSING',
    ]);
    expect((settled.answers.valid as { body: string }).body).toBe(JSON.stringify({ id: DELIVERY_ID }));
    expect((settled.answers.duplicate as { body: string }).body).toBe('{"received":true,"duplicate":true}');
    // Refusals before the hook returns; an authentic delivery waits for its claim in the replay store.
    expect(settled.settledAtOnce).toEqual({
      forged: true,
      malformed: true,
      missing: true,
      valid: false,
      duplicate: false,
    });
    expect(Object.values(viaPromise.settledAtOnce).every((v) => !v)).toBe(true);
  });

  it('a verifier that throws or rejects, even without a reason, never lets the request reach the handler', async () => {
    const real = createWebhookVerifier({ scheme: 'github', secrets: SECRET });
    const brokenBy = (reason: unknown): WebhookVerifier[] =>
      [
        { ...real, check: () => Promise.reject(reason), [HIDDEN]: () => Promise.reject(reason) },
        {
          ...real,
          check: () => Promise.reject(reason),
          [HIDDEN]: () => {
            throw reason;
          },
        },
        { ...real, check: () => Promise.reject(reason), [HIDDEN]: undefined },
      ] as unknown as WebhookVerifier[];
    for (const broken of [...brokenBy(undefined), ...brokenBy(new Error('verifier broke'))]) {
      const app = Fastify({ logger: false });
      let ran = false;
      await app.register(async (scope) => {
        await scope.register(rawWebhookBody);
        scope.post('/hooks/github', { preHandler: verifyWebhook(broken) }, async () => {
          ran = true;
          return { ok: true };
        });
      });
      const res = await app.inject({
        method: 'POST',
        url: '/hooks/github',
        headers: { 'content-type': 'application/json', ...deliveries[3]![1] },
        payload: BODY,
      });
      expect(res.statusCode).toBe(500);
      expect(ran).toBe(false);
      await app.close();
    }
  });

  it('answers by hand without done, as an async hook does', async () => {
    const hook = verifyWebhook({ scheme: 'github', secrets: SECRET });
    const app = Fastify({ logger: false });
    await app.register(bulwark, {});
    await app.register(async (scope) => {
      await scope.register(rawWebhookBody);
      scope.post('/hooks/github', async (request, reply) => {
        const answered = await hook(request, reply);
        return answered === undefined ? { id: request.webhook?.id } : answered;
      });
    });
    const ok = await app.inject({
      method: 'POST',
      url: '/hooks/github',
      headers: { 'content-type': 'application/json', ...deliveries[3]![1] },
      payload: BODY,
    });
    expect(ok.json()).toEqual({ id: DELIVERY_ID });
    const forged = await app.inject({
      method: 'POST',
      url: '/hooks/github',
      headers: { 'content-type': 'application/json', ...deliveries[0]![1] },
      payload: BODY,
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    await app.close();
  });
});

describe("fastify rawWebhookBody: a denial reaches the plugin's writer once", () => {
  /** POST a forged delivery; the reply's sends in order (an Error handed on, or the answer's body). */
  async function forged(outerHandler?: (error: Error, reply: FastifyReply) => void) {
    const app = Fastify({ logger: false });
    await app.register(bulwark, {});
    const sends: string[] = [];
    const handled: string[] = [];
    app.addHook('onRequest', (_request, reply, done) => {
      const original = reply.send;
      reply.send = function (this: FastifyReply, payload?: unknown) {
        sends.push(payload instanceof Error ? `error ${(payload as { code?: string }).code}` : 'answer');
        return original.call(this, payload);
      } as FastifyReply['send'];
      done();
    });
    await app.register(async (outer) => {
      if (outerHandler !== undefined) {
        outer.setErrorHandler((error: Error, _request, reply) => {
          handled.push((error as { code?: string }).code ?? 'none');
          outerHandler(error, reply);
        });
      }
      await outer.register(async (scope) => {
        await scope.register(rawWebhookBody);
        scope.post(
          '/hooks/github',
          { preHandler: verifyWebhook({ scheme: 'github', secrets: SECRET }) },
          () => ({
            ok: true,
          }),
        );
      });
    });
    const res = await app.inject({
      method: 'POST',
      url: '/hooks/github',
      headers: { 'content-type': 'application/json', ...deliveries[0]![1] },
      payload: BODY,
    });
    await app.close();
    return {
      status: res.statusCode,
      code: res.json().code,
      type: res.headers['content-type'],
      sends,
      handled,
    };
  }

  it('writes the 401 from the raw-body scope, without handing the denial back into the pipeline', async () => {
    const res = await forged();
    expect(res).toMatchObject({ status: 401, code: 'WEBHOOK_SIGNATURE_MISMATCH' });
    expect(res.type).toMatch(/^application\/problem\+json/);
    // fastify's hook runner hands the denial to the error pipeline (the first send), then the answer is
    // written. Before: a second 'error …' in between, the raw-body scope's handler handing it back.
    expect(res.sends).toEqual(['error WEBHOOK_SIGNATURE_MISMATCH', 'answer']);
  });

  it("still hands every denial to an app's own error handler between the scope and the plugin", async () => {
    const res = await forged((error, reply) => {
      reply.send(error);
    });
    expect(res).toMatchObject({ status: 401, code: 'WEBHOOK_SIGNATURE_MISMATCH' });
    expect(res.handled).toEqual(['WEBHOOK_SIGNATURE_MISMATCH']);
    expect(res.sends).toEqual([
      'error WEBHOOK_SIGNATURE_MISMATCH',
      'error WEBHOOK_SIGNATURE_MISMATCH',
      'error WEBHOOK_SIGNATURE_MISMATCH',
      'answer',
    ]);
  });
});
