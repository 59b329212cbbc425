import 'reflect-metadata';
import type { ExecutionContext } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, makeTestKeys, mint, type TestKeys } from '@bulwark/conformance';
import { createJwtVerifier, type JwtVerifier } from '@bulwark/core';
import { BulwarkAnswer, JwtGuard, RequireJwt } from '../src/index.js';

// JwtGuard answers Nest without a promise when the verifier had nothing to wait for (core's jwtCheckNow): a
// refusal is thrown from canActivate itself, an allowed request is a plain `true`. A verifier that only
// answers through promises gets the same answers, as a promise.

class OrdersController {
  @RequireJwt({ scopes: ['orders:read'] })
  list() {}
}

function contextFor(authorization: string | undefined) {
  const request: Record<string, unknown> = {
    method: 'GET',
    url: '/orders',
    headers: authorization === undefined ? {} : { authorization },
    rawHeaders: authorization === undefined ? [] : ['Authorization', authorization],
    socket: { remoteAddress: '127.0.0.1' },
  };
  const response = { setHeader() {}, getHeader: () => undefined, appendHeader() {} };
  const context = {
    switchToHttp: () => ({
      getRequest: () => request,
      getResponse: () => response,
      getNext: () => undefined,
    }),
    getClass: () => OrdersController,
    getHandler: () => OrdersController.prototype.list,
    getType: () => 'http',
  } as unknown as ExecutionContext;
  return { context, request };
}

/** The verifier seen through its public check() only (as one from a copy of core without jwtCheckNow). */
function promiseOnly(verifier: JwtVerifier): JwtVerifier {
  const hidden = Symbol.for('bulwark.jwt.checkNow');
  return new Proxy(verifier, { get: (t, k) => (k === hidden ? undefined : Reflect.get(t, k)) });
}

/** canActivate's answer, whichever way it comes: 'true', or the status and code of the denial. */
async function outcome(run: () => boolean | Promise<boolean>): Promise<string> {
  try {
    return String(await run());
  } catch (e) {
    const answer = e as BulwarkAnswer;
    return `${answer.getStatus()} ${answer.error?.code} ${answer.reply.body}`;
  }
}

describe('nestjs: JwtGuard decides without a promise when the verifier waits for nothing', () => {
  let keys: TestKeys;
  let verifier: JwtVerifier;
  let tokens: Record<string, string | undefined>;
  beforeAll(async () => {
    keys = await makeTestKeys();
    verifier = createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [keys.rsa.publicJwk],
    });
    tokens = {
      missing: undefined,
      malformed: 'Bearer not.a-valid.token',
      expired: `Bearer ${await mint(keys, { expiresIn: -600 })}`,
      'no scope': `Bearer ${await mint(keys, { claims: { scope: 'profile' } })}`,
      valid: `Bearer ${await mint(keys)}`,
    };
    // The first verification loads the keys; from then on nothing waits.
    await verifier.check({
      method: 'GET',
      url: '/',
      header: (n) => (n === 'authorization' ? tokens.valid : undefined),
    });
  });

  const guard = (v: JwtVerifier) => new JwtGuard(v, new Reflector(), null, new ModulesContainer());

  it('throws a refusal from canActivate itself and answers an allowed request with a plain true', () => {
    const refused = contextFor(tokens.malformed);
    expect(() => guard(verifier).canActivate(refused.context)).toThrow(BulwarkAnswer);
    const allowed = contextFor(tokens.valid);
    expect(guard(verifier).canActivate(allowed.context)).toBe(true);
    expect((allowed.request.auth as { sub?: string }).sub).toBe('user-123');
  });

  it('answers every request as a verifier seen through promises only does', async () => {
    for (const [name, authorization] of Object.entries(tokens)) {
      const settled = contextFor(authorization);
      const viaPromise = contextFor(authorization);
      const now = await outcome(() => guard(verifier).canActivate(settled.context));
      const later = guard(promiseOnly(verifier)).canActivate(viaPromise.context);
      expect(later, name).toBeInstanceOf(Promise);
      expect(now, name).toBe(await outcome(() => later));
      expect(settled.request.auth, name).toEqual(viaPromise.request.auth);
    }
  });
});
