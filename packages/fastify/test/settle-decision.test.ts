import {
  allow,
  createJwtVerifier,
  createWebhookVerifier,
  deny,
  JWT_ERRORS,
  type JwtVerifier,
  type WebhookVerifier,
} from '@bulwark/core';
import { jwtSpec, makeTestKeys } from '@bulwark/conformance';
import Fastify, { type FastifyInstance, type preHandlerHookHandler } from 'fastify';
import { describe, expect, it } from 'vitest';
import { BulwarkDenial, bulwark, rawWebhookBody, requireJwt, verifyWebhook } from '../src/index.js';

// Both hooks carry out their check the same way (reply.ts settleDecision): each is given checks that decide
// at once or later, refuse, allow, throw or reject without a reason, and must answer every one alike.
const DENIED = deny(JWT_ERRORS.malformed);
const KEYS = makeTestKeys();
const settled = { jwt: Symbol.for('bulwark.jwt.checkNow'), webhook: Symbol.for('bulwark.webhooks.checkNow') };

type Decide = () => unknown;
const cases: Record<string, Decide> = {
  'denied at once': () => DENIED,
  'denied later': () => Promise.resolve(DENIED),
  'allowed at once': () => allow(value(), [['x-granted', 'yes']]),
  'allowed later': () => Promise.resolve(allow(value(), [['x-granted', 'yes']])),
  throws: () => {
    throw new Error('check broke');
  },
  'throws nothing': () => {
    throw undefined;
  },
  'rejects nothing': () => Promise.reject(undefined),
};

/** A value both hooks accept: claims for requireJwt, a delivery (settled when the response ends) for verifyWebhook. */
function value() {
  return { sub: 'user-1', id: 'delivery-1', settle: async () => undefined };
}

async function appWith(name: 'jwt' | 'webhook', decide: Decide) {
  const keys = await KEYS;
  const real =
    name === 'jwt'
      ? createJwtVerifier(jwtSpec(keys))
      : createWebhookVerifier({ scheme: 'github', secrets: 'github-secret-0123456789' });
  const stub = { ...real, check: async () => decide(), [settled[name]]: decide };
  const hook = (name === 'jwt'
    ? requireJwt(stub as unknown as JwtVerifier)
    : verifyWebhook(stub as unknown as WebhookVerifier)) as unknown as preHandlerHookHandler;
  const app: FastifyInstance = Fastify({ logger: false });
  await app.register(bulwark, { securityHeaders: false });
  const seen = { errors: [] as string[], atOnce: false, handler: false };
  app.addHook('onError', async (_request, _reply, error) => {
    seen.errors.push(error instanceof BulwarkDenial ? `denial ${error.code}` : `error ${error.message}`);
  });
  await app.register(async (scope) => {
    await scope.register(rawWebhookBody);
    scope.post(
      '/',
      {
        preHandler(request, reply, done) {
          let called = false;
          hook.call(this, request, reply, (err?: Error) => {
            called = true;
            done(err as Error);
          });
          seen.atOnce = called;
        },
      },
      async () => {
        seen.handler = true;
        return { ok: true };
      },
    );
  });
  const res = await app.inject({
    method: 'POST',
    url: '/',
    payload: 'x',
    headers: { 'content-type': 'text/plain' },
  });
  await app.close();
  return { status: res.statusCode, granted: res.headers['x-granted'] ?? null, ...seen };
}

describe('fastify requireJwt and verifyWebhook carry out a check alike', () => {
  it('refuse, go on or fail at once or later as the check decided, naming the hook when it failed without a reason', async () => {
    for (const name of ['jwt', 'webhook'] as const) {
      const hook = name === 'jwt' ? 'requireJwt' : 'verifyWebhook';
      const answers: Record<string, unknown> = {};
      for (const [label, decide] of Object.entries(cases)) answers[label] = await appWith(name, decide);
      const failed = (message: string, atOnce: boolean) => ({
        status: 500,
        granted: null,
        errors: [`error ${message}`],
        atOnce,
        handler: false,
      });
      const refused = (atOnce: boolean) => ({
        status: 401,
        granted: null,
        errors: [`denial ${DENIED.error.code}`],
        atOnce,
        handler: false,
      });
      const allowed = (atOnce: boolean) => ({
        status: 200,
        granted: 'yes',
        errors: [],
        atOnce,
        handler: true,
      });
      expect({ hook, answers }).toEqual({
        hook,
        answers: {
          'denied at once': refused(true),
          'denied later': refused(false),
          'allowed at once': allowed(true),
          'allowed later': allowed(false),
          throws: failed('check broke', true),
          'throws nothing': failed(`${hook}: the verifier rejected without a reason`, true),
          'rejects nothing': failed(`${hook}: the verifier rejected without a reason`, false),
        },
      });
    }
  });
});
