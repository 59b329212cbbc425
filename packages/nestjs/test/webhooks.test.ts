import 'reflect-metadata';
import { call, webhooksSpec } from '@bulwark/conformance';
import { Controller, HttpCode, Module, Post, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BulwarkModule,
  isConfigError,
  SignedWebhook,
  type WebhookDelivery,
  WebhookSigned,
} from '../src/index.js';

const spec = webhooksSpec();
const sender = new Webhook(String(spec.standard.secrets?.[0]));
let seq = 0;

function delivery(): { headers: string[]; body: string; id: string } {
  const id = `msg_stack_${Date.now()}_${seq++}`;
  const at = new Date();
  const body = JSON.stringify({ n: seq });
  return {
    id,
    body,
    headers: [
      'content-type',
      'application/json',
      'webhook-id',
      id,
      'webhook-timestamp',
      String(Math.floor(at.getTime() / 1000)),
      'webhook-signature',
      sender.sign(id, at, body),
    ],
  };
}

// The same verifier named on the controller and on the handler: verified (and its event claimed) once.
@Controller('hooks')
@WebhookSigned('standard')
class SameNameController {
  @Post('both')
  @HttpCode(200)
  @WebhookSigned('standard')
  both(@SignedWebhook() d: WebhookDelivery): { handled: true; id: string } {
    return { handled: true, id: d.id };
  }
}

async function create(platform: 'express' | 'fastify', controllers: Type<unknown>[], rawBody = true) {
  @Module({ imports: [BulwarkModule.forRoot({ webhooks: spec })], controllers })
  class AppModule {}
  return NestFactory.create(AppModule, platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(), {
    logger: false,
    rawBody,
    abortOnError: false,
  });
}

async function startupError(
  platform: 'express' | 'fastify',
  controller: Type<unknown>,
  rawBody = true,
): Promise<unknown> {
  const app = await create(platform, [controller], rawBody).catch((e: unknown) => e);
  if (!(app instanceof Object) || !('init' in app)) return app;
  const nest = app as Awaited<ReturnType<typeof create>>;
  const error = await nest.init().then(
    () => undefined,
    (e: unknown) => e,
  );
  await nest.close();
  return error;
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): @WebhookSigned on controller and handler`, () => {
    let app: Awaited<ReturnType<typeof create>>;
    let url: string;
    beforeAll(async () => {
      app = await create(platform, [SameNameController]);
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
    });

    it('the same verifier on both levels verifies once: the delivery reaches the handler, its replay does not', async () => {
      const d = delivery();
      const first = await call(url, '/hooks/both', { method: 'POST', headers: d.headers, body: d.body });
      expect(first.json()).toEqual({ handled: true, id: d.id });
      const again = await call(url, '/hooks/both', { method: 'POST', headers: d.headers, body: d.body });
      expect(again.json()).toEqual({ received: true, duplicate: true });
    });

    it('refuses at startup two different verifiers on the controller and the handler', async () => {
      @Controller('hooks')
      @WebhookSigned('standard')
      class Mixed {
        @Post('github')
        @WebhookSigned('github')
        github(): string {
          return 'x';
        }
      }
      const error = await startupError(platform, Mixed);
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).message).toContain('Mixed.github');
      expect((error as Error).message).toMatch(/'github'.*'standard'/);
    });

    it('refuses at startup a verifier name the module does not configure', async () => {
      @Controller('hooks')
      class Typo {
        @Post('x')
        @WebhookSigned('stripee')
        x(): string {
          return 'x';
        }
      }
      const error = await startupError(platform, Typo);
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).message).toContain("@WebhookSigned('stripee') on Typo.x");
    });

    it('refuses at startup a signed route in an app created without rawBody: true, naming the fix', async () => {
      const error = await startupError(platform, SameNameController, false);
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).message).toContain('nestjs.NestFactory.create.rawBody');
      expect((error as Error).message).toContain("@WebhookSigned('standard') on SameNameController");
      expect((error as Error).message).toContain('{ rawBody: true }');
    });

    it('starts without rawBody: true when no route is signed', async () => {
      @Controller('plain')
      class Plain {
        @Post()
        @HttpCode(200)
        take(): { ok: true } {
          return { ok: true };
        }
      }
      expect(await startupError(platform, Plain, false)).toBeUndefined();
    });
  });
}
