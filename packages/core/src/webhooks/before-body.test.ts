import { describe, expect, it } from 'vitest';
import type { RequestLike } from '../http/request.js';
import { refuseDeliveryBeforeBody } from './before-body.js';
import { createWebhookVerifier } from './verifier.js';

function request(headers: Record<string, string>): RequestLike {
  return { method: 'POST', url: '/hooks', header: (n) => headers[n] };
}

describe('refuseDeliveryBeforeBody', () => {
  const standard = createWebhookVerifier({
    scheme: 'standard',
    secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    maxBodyBytes: 1000,
  });
  const standardBig = createWebhookVerifier({
    scheme: 'standard',
    secrets: ['whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD'],
    maxBodyBytes: 5000,
  });
  const stripe = createWebhookVerifier({ scheme: 'stripe', secrets: ['whsec_before_body_stripe_0123'] });
  const github = createWebhookVerifier({ scheme: 'github', secrets: ['before-body-github-secret'] });
  const hmac = createWebhookVerifier({
    scheme: {
      type: 'hmac',
      signatureHeader: 'x-signature',
      encoding: 'hex',
      idHeader: 'x-id',
      signedContent: 'body',
    },
    secrets: ['before-body-hmac-secret-0123'],
  });
  const all = [standard, standardBig, stripe, github, hmac];

  it('names the signature header of each scheme', () => {
    expect([standard, stripe, github, hmac].map((v) => v.signatureHeader)).toEqual([
      'webhook-signature',
      'stripe-signature',
      'x-hub-signature-256',
      'x-signature',
    ]);
  });

  it('leaves alone a request that is no delivery of these schemes, whatever it carries', () => {
    const req = request({ 'content-encoding': 'gzip', 'content-length': '0', 'x-other-signature': 'v1,x' });
    expect(refuseDeliveryBeforeBody(req, all)).toBeUndefined();
  });

  it('refuses a coded delivery of every scheme (415), identity and no coding pass', () => {
    for (const header of ['webhook-signature', 'stripe-signature', 'x-hub-signature-256', 'x-signature']) {
      for (const coding of ['gzip', 'br', 'x-foo', 'gzip, identity', ' Deflate ']) {
        const refusal = refuseDeliveryBeforeBody(request({ [header]: 's', 'content-encoding': coding }), all);
        expect(refusal?.error.code, `${header} ${coding}`).toBe('WEBHOOK_CONTENT_ENCODING_UNSUPPORTED');
        expect(refusal?.reply.status).toBe(415);
      }
      for (const coding of ['identity', ' IDENTITY ', '']) {
        const req = request({ [header]: 's', 'content-encoding': coding, 'content-length': '10' });
        expect(refuseDeliveryBeforeBody(req, all)).toBeUndefined();
      }
    }
  });

  it('refuses a declared length over the largest limit of the matching verifiers, and a zero length', () => {
    const size = (n: string) =>
      refuseDeliveryBeforeBody(request({ 'webhook-signature': 's', 'content-length': n }), all)?.error.code;
    expect(size('4000')).toBeUndefined(); // over standard's 1000, within standardBig's 5000: not for us to say
    expect(size('5001')).toBe('WEBHOOK_BODY_TOO_LARGE');
    expect(size('0')).toBe('WEBHOOK_BODY_EMPTY');
    expect(size('12abc')).toBeUndefined();
    expect(
      refuseDeliveryBeforeBody(request({ 'webhook-signature': 's', 'content-length': '4000' }), [standard])
        ?.error.code,
    ).toBe('WEBHOOK_BODY_TOO_LARGE');
    expect(
      refuseDeliveryBeforeBody(request({ 'stripe-signature': 's', 'content-length': '4000' }), all),
    ).toBeUndefined();
  });

  it('refuses a delivery with a body of a media type the platform cannot hand over as bytes', () => {
    // As fastify: a parser for application/json only.
    const parsable = (type: string) => type === 'application/json';
    const code = (headers: Record<string, string>) =>
      refuseDeliveryBeforeBody(request({ 'webhook-signature': 's', ...headers }), all, { parsable })?.error
        .code;
    expect(code({ 'content-length': '10', 'content-type': 'text/plain; charset=utf-8' })).toBe(
      'WEBHOOK_CONTENT_TYPE_UNSUPPORTED',
    );
    expect(code({ 'transfer-encoding': 'chunked', 'content-type': 'Text/Plain' })).toBe(
      'WEBHOOK_CONTENT_TYPE_UNSUPPORTED',
    );
    expect(code({ 'content-length': '10' })).toBe('WEBHOOK_CONTENT_TYPE_UNSUPPORTED'); // no type: ''
    expect(
      code({ 'content-length': '10', 'content-type': 'Application/JSON; charset=utf-8' }),
    ).toBeUndefined();
    // No body to parse: nothing for the platform to refuse (an empty body is refused as such).
    expect(code({ 'content-type': 'text/plain' })).toBeUndefined();
    expect(code({ 'content-length': '0', 'content-type': 'text/plain' })).toBe('WEBHOOK_BODY_EMPTY');
    // Other refusals come first, and requests that are no delivery are not ours.
    expect(code({ 'content-length': '9999', 'content-type': 'text/plain' })).toBe('WEBHOOK_BODY_TOO_LARGE');
    expect(
      refuseDeliveryBeforeBody(request({ 'content-length': '10', 'content-type': 'text/plain' }), all, {
        parsable,
      }),
    ).toBeUndefined();
  });
});
