import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { signWebhook } from './sign.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

async function configOption(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return isConfigError(err) ? err.option : `not a ConfigError: ${String(err)}`;
  }
  return undefined;
}

describe('signWebhook', () => {
  it('defaults to a random UUID id and the current time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const headers = await signWebhook({ secret: SECRET, body: '{}' });
    expect(headers['webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(headers['webhook-timestamp'])).toBeGreaterThanOrEqual(before);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('signs bytes and text identically', async () => {
    const text = '{"note":"café"}';
    const a = await signWebhook({ secret: SECRET, id: 'm', timestamp: 1, body: text });
    const b = await signWebhook({
      secret: SECRET,
      id: 'm',
      timestamp: 1,
      body: new TextEncoder().encode(text),
    });
    expect(a).toEqual(b);
  });

  it('refuses a bad secret, id or timestamp with a ConfigError naming the option', async () => {
    expect(await configOption(signWebhook({ secret: 'whsec_not base64', body: '{}' }))).toBe(
      'webhooks.sign.secret',
    );
    expect(await configOption(signWebhook({ secret: 'whsec_c2hvcnQ=', body: '{}' }))).toBe(
      'webhooks.sign.secret',
    );
    expect(await configOption(signWebhook({ secret: SECRET, id: 'has space', body: '{}' }))).toBe(
      'webhooks.sign.id',
    );
    expect(await configOption(signWebhook({ secret: SECRET, timestamp: 1.5, body: '{}' }))).toBe(
      'webhooks.sign.timestamp',
    );
    expect(await configOption(signWebhook({ secret: SECRET, timestamp: 1e13, body: '{}' }))).toBe(
      'webhooks.sign.timestamp',
    );
  });
});
