import { afterEach, describe, expect, it } from 'vitest';
import type { HeaderList, HeaderPair } from '../verdict.js';
import { toResponse, withHeaders } from './response.js';

// toResponse and withHeaders are how every fetch-style adapter (fetch, Hono) turns a reply or a verdict's
// headers into a Response; a refusal goes through them on every request of an attack.

const RealHeaders = globalThis.Headers;
afterEach(() => {
  globalThis.Headers = RealHeaders;
});

const fields = (response: Response) => [...response.headers];

describe('toResponse', () => {
  const reply = {
    status: 401,
    headers: [
      ['content-type', 'application/problem+json'],
      ['vary', 'Origin'],
      ['cache-control', 'private'],
      ['set-cookie', 'a=1'],
      ['vary', 'Accept, origin'],
      ['cache-control', 'no-store'],
      ['set-cookie', 'b=2'],
      ['www-authenticate', 'Bearer error="invalid_token"'],
    ] as HeaderList,
    body: '{"status":401}',
  };

  it('answers the status, body and fields as set one by one (later wins, vary merged, set-cookie kept apart)', async () => {
    const response = toResponse(reply);
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('{"status":401}');
    expect(fields(response)).toEqual([
      ['cache-control', 'no-store'],
      ['content-type', 'application/problem+json'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['vary', 'Origin, Accept'],
      ['www-authenticate', 'Bearer error="invalid_token"'],
    ]);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it("sets the fields on the Response's own headers: no Headers built first and copied", () => {
    let built = 0;
    globalThis.Headers = class extends RealHeaders {
      constructor(init?: HeadersInit) {
        super(init);
        built++;
      }
    };
    const response = toResponse(reply);
    expect(built).toBe(0);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  it('a reply without a body has none, and no content type of its own', () => {
    const response = toResponse({ status: 204, headers: [['vary', 'Origin']] });
    expect(response.body).toBeNull();
    expect(fields(response)).toEqual([['vary', 'Origin']]);
  });
});

describe('withHeaders', () => {
  it('reads each pair by index: a pair is not iterated (no iterator allocated per field)', () => {
    const pair = (name: string, value: string): HeaderPair => {
      const p = [name, value];
      Object.defineProperty(p, Symbol.iterator, {
        value: () => {
          throw new Error('iterated');
        },
      });
      return p as unknown as HeaderPair;
    };
    const response = withHeaders(new Response('x', { headers: { vary: 'Accept' } }), [
      pair('x-frame-options', 'DENY'),
      pair('vary', 'Origin'),
    ]);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('vary')).toBe('Accept, Origin');
  });
});
