import { sign as octokitSign } from '@octokit/webhooks-methods';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../encoding/base64url.js';
import { type ConfigError, isConfigError } from '../errors.js';
import type { RequestLike } from '../http/request.js';
import { decodeBase64Key } from './encoding.js';
import { signWebhook } from './sign.js';
import { createWebhookVerifier } from './verifier.js';
import type { WebhookVerifierOptions } from './options.js';

const encoder = new TextEncoder();
// 16 bytes: padded base64 is 22 characters and '=='.
const PADDED = 'whsec_3q2+7wABAgMEBQYHCAkKCw==';
const UNPADDED = 'whsec_3q2+7wABAgMEBQYHCAkKCw';

function request(headers: Record<string, string>, body: string): RequestLike {
  return { method: 'POST', url: '/hooks', header: (n) => headers[n], rawBody: encoder.encode(body) };
}

function configError(build: () => unknown): ConfigError | undefined {
  try {
    build();
  } catch (err) {
    if (isConfigError(err)) return err;
    throw err;
  }
  return undefined;
}

async function rejected(promise: Promise<unknown>): Promise<ConfigError | undefined> {
  try {
    await promise;
  } catch (err) {
    if (isConfigError(err)) return err;
    throw err;
  }
  return undefined;
}

describe('Standard Webhooks secrets without base64 padding', () => {
  it('verifies with an unpadded whsec_ secret what the reference library signs with the padded one', async () => {
    const body = '{"type":"invoice.paid"}';
    const at = new Date();
    const signature = new Webhook(PADDED).sign('msg_unpadded', at, body);
    const headers = {
      'webhook-id': 'msg_unpadded',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    const verdict = await createWebhookVerifier({ scheme: 'standard', secrets: UNPADDED }).check(
      request(headers, body),
    );
    expect(verdict.ok && verdict.value.id).toBe('msg_unpadded');
    // and the other way round: signWebhook takes the unpadded secret, the reference library verifies
    const ours = await signWebhook({ secret: UNPADDED, id: 'msg_back', body });
    expect(new Webhook(PADDED).verify(body, ours)).toEqual({ type: 'invoice.paid' });
  });

  it('stays strict: other alphabets, whitespace, partial padding, impossible lengths and stray bits are refused', () => {
    const bad = [
      'whsec_3q2-7wABAgMEBQYHCAkKCw', // base64url alphabet
      'whsec_3q2_7wABAgMEBQYHCAkKCw',
      'whsec_3q2+7wABAgMEBQYHCAkKCw=', // one '=' where two belong
      'whsec_3q2+7wABAgMEBQYHCAkKC=w',
      'whsec_3q2+7wABAgMEBQYHCAkKCw ',
      'whsec_ 3q2+7wABAgMEBQYHCAkKCw',
      'whsec_3q2+7wABAgMEBQYHCAkKCwAAA', // length 4n+1
      'whsec_3q2+7wABAgMEBQYHCAkKCx', // unused bits not zero
      'whsec_3q2+7wABAgMEBQYHCAkKCw==\n',
    ];
    for (const secret of bad) {
      expect([
        secret,
        configError(() => createWebhookVerifier({ scheme: 'standard', secrets: secret }))?.option,
      ]).toEqual([secret, 'webhooks.secrets[0]']);
    }
  });

  it('whpk_ public keys may drop their padding too', () => {
    const key = encodeBase64(new Uint8Array(32).fill(7)); // 44 characters, one '='
    expect(key.endsWith('=')).toBe(true);
    createWebhookVerifier({ scheme: 'standard', publicKeys: `whpk_${key.slice(0, -1)}` });
    expect(
      configError(() => createWebhookVerifier({ scheme: 'standard', publicKeys: `whpk_${key.slice(0, -2)}` }))
        ?.option,
    ).toBe('webhooks.publicKeys[0]');
  });

  it('decodes padded and unpadded spellings of the same bytes alike, and only canonical spellings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const padded = encodeBase64(bytes);
        expect(decodeBase64Key(padded)).toEqual(bytes);
        expect(decodeBase64Key(padded.replace(/=+$/, ''))).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AQgw+/=-_ a'.split('')), maxLength: 12 }), (text) => {
        const bytes = decodeBase64Key(text);
        if (bytes !== undefined) expect(encodeBase64(bytes).replace(/=+$/, '')).toBe(text.replace(/=+$/, ''));
      }),
    );
  });
});

describe('secrets under 16 bytes', () => {
  it('explains a short whsec_ secret in decoded bytes, says it is base64, and names the opt-in', () => {
    const twenty = 'whsec_MfKQ9r8GKYqrTwjUPD8I'; // 20 base64 characters = 15 bytes
    const err = configError(() => createWebhookVerifier({ scheme: 'standard', secrets: twenty }));
    expect(err?.option).toBe('webhooks.secrets[0]');
    expect(err?.message).toMatch(/decodes to 15 bytes/);
    expect(err?.message).toMatch(/whsec_ secrets are base64/);
    expect(err?.message).toMatch(/20 characters after whsec_/);
    expect(err?.message).toMatch(/at least 16 bytes/);
    expect(err?.message).toMatch(/dangerouslyAllowShortSecrets: true/);
    expect(err?.message).not.toContain('MfKQ9r8G');
  });

  it('refuses a short GitHub secret by default and accepts it with the loudly named opt-in', async () => {
    const secret = 'hunter2';
    expect(configError(() => createWebhookVerifier({ scheme: 'github', secrets: secret }))?.message).toMatch(
      /is 7 bytes, too short .*dangerouslyAllowShortSecrets: true/,
    );
    const v = createWebhookVerifier({
      scheme: 'github',
      secrets: secret,
      dangerouslyAllowShortSecrets: true,
    });
    const body = '{"zen":"Keep it logically awesome."}';
    const headers = {
      'x-hub-signature-256': await octokitSign(secret, body),
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    };
    expect((await v.check(request(headers, body))).ok).toBe(true);
    const forged = { ...headers, 'x-hub-signature-256': await octokitSign('hunter3', body) };
    const denied = await v.check(request(forged, body));
    expect(denied.ok || denied.error?.code).toBe('WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('never accepts an empty secret, and the opt-in is exactly true', () => {
    const allow = { dangerouslyAllowShortSecrets: true } as const;
    expect(
      configError(() => createWebhookVerifier({ scheme: 'github', secrets: '', ...allow }))?.message,
    ).toMatch(/is empty/);
    for (const value of [false, 'yes', 1]) {
      const options = { scheme: 'github', secrets: 'hunter2', dangerouslyAllowShortSecrets: value };
      expect(
        configError(() => createWebhookVerifier(options as unknown as WebhookVerifierOptions))?.option,
      ).toBe('webhooks.dangerouslyAllowShortSecrets');
    }
  });

  it('signWebhook holds every scheme to 16 bytes unless told otherwise', async () => {
    expect((await rejected(signWebhook({ scheme: 'github', secret: 'hunter2', body: '{}' })))?.option).toBe(
      'webhooks.sign.secret',
    );
    expect((await rejected(signWebhook({ scheme: 'stripe', secret: 'whsec_x', body: '{}' })))?.option).toBe(
      'webhooks.sign.secret',
    );
    const headers = await signWebhook({
      scheme: 'github',
      secret: 'hunter2',
      body: '{}',
      dangerouslyAllowShortSecrets: true,
    });
    expect(headers['x-hub-signature-256']).toBe(await octokitSign('hunter2', '{}'));
  });
});
