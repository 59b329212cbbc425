import { isConfigError } from '@bulwark/core';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { rawWebhookBody } from '../src/index.js';

// rawWebhookBody's cap becomes fastify's bodyLimit: NaN there would switch the webhook body cap off.
describe('rawWebhookBody options', () => {
  it.each([Number.NaN, -1, 0, Number.POSITIVE_INFINITY])(
    'refuses maxBodyBytes %s at registration',
    async (maxBodyBytes) => {
      const app = Fastify();
      let error: unknown;
      try {
        await app.register(rawWebhookBody, { maxBodyBytes });
        await app.ready();
      } catch (e) {
        error = e;
      } finally {
        await app.close().catch(() => {});
      }
      expect(isConfigError(error)).toBe(true);
      expect((error as { option: string }).option).toBe('fastify.rawWebhookBody.maxBodyBytes');
    },
  );

  it('accepts a valid cap', async () => {
    const app = Fastify();
    await app.register(rawWebhookBody, { maxBodyBytes: 1024 });
    await app.ready();
    await app.close();
  });
});
