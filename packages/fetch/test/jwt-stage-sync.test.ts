import { beforeAll, describe, expect, it } from 'vitest';
import { promiseOnly, settledJwtFixture } from '@bulwark/conformance';
import { fromFetchRequest, type JwtVerifier } from '@bulwark/core';
import { jwtStage, type StageState } from '../src/index.js';

// The jwt stage answers protect() without a promise when the verifier had nothing to wait for (core's
// jwtCheckNow): a refusal is a Response, an allowed token undefined, right away. A verifier that only
// answers through promises gets the same answers, as a promise.

function stateFor(authorization: string | undefined): StageState {
  const request = new Request('http://api.test/orders', {
    headers: authorization === undefined ? {} : { authorization },
  });
  return { request, req: fromFetchRequest(request), info: {}, context: {}, responseHeaders: [] };
}

async function shape(response: Response | undefined, state: StageState): Promise<unknown> {
  if (response === undefined) return { claims: state.context.claims?.sub, headers: state.responseHeaders };
  return { status: response.status, headers: [...response.headers], body: await response.text() };
}

describe('fetch: the jwt stage decides without a promise when the verifier waits for nothing', () => {
  let verifier: JwtVerifier;
  let tokens: Readonly<Record<string, string | undefined>>;
  beforeAll(async () => {
    ({ verifier, tokens } = await settledJwtFixture());
  });

  it('answers a refusal and an allowed token without a promise', () => {
    const stage = jwtStage({ verifier, scopes: ['orders:read'] });
    const refused = stage.before!(stateFor(tokens.malformed));
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(401);
    const state = stateFor(tokens.valid);
    expect(stage.before!(state)).toBeUndefined();
    expect(state.context.claims?.sub).toBe('user-123');
  });

  it('answers every request as a verifier seen through promises only does', async () => {
    const settled = jwtStage({ verifier, scopes: ['orders:read'] });
    const viaPromise = jwtStage({ verifier: promiseOnly(verifier), scopes: ['orders:read'] });
    for (const [name, authorization] of Object.entries(tokens)) {
      const a = stateFor(authorization);
      const b = stateFor(authorization);
      const later = viaPromise.before!(b);
      expect(later, name).toBeInstanceOf(Promise);
      expect(await shape(await settled.before!(a), a), name).toEqual(await shape(await later, b));
    }
  });
});
