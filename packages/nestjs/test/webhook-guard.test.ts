import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { ExecutionContext } from '@nestjs/common';
import { HttpAdapterHost, ModulesContainer, Reflector } from '@nestjs/core';
import { webhooksSpec } from '@bulwark/conformance';
import { describe, expect, it } from 'vitest';
import { BulwarkAnswer, type WebhookVerifier, WebhookGuard, WebhookSigned } from '../src/index.js';
import { buildWebhookVerifiers } from '../src/providers.js';

// WebhookGuard hands a delivery whose bytes the platform kept (rawBody) to the verifier before canActivate
// returns: no microtask is spent waiting for a body that is already there. A body it has to read itself (the
// express platform, a media type no parser read) is still read first, and every answer is the same.

class HooksController {
  @WebhookSigned('github')
  receive() {}
}

const CHECK_NOW = Symbol.for('bulwark.webhooks.checkNow');
const spec = webhooksSpec();
const secret = String(spec.github.secrets?.[0]);
const BODY = '{"zen":"Keep it logically awesome."}';
const sign = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The module's verifiers, with the github one counting its check() calls. */
function verifiers() {
  const built = buildWebhookVerifiers({ webhooks: spec });
  if (built === null) throw new Error('no verifiers');
  const github = built.get('github')!;
  // check(), and core's settled check (webhookCheckNow) behind its registered symbol.
  const calls = { check: 0 };
  const counted: WebhookVerifier = new Proxy(github, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (key !== 'check' && key !== CHECK_NOW) return value;
      return (...args: unknown[]) => {
        calls.check++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { map: new Map([...built, ['github', counted]]), calls };
}

interface Delivery {
  signature: string;
  rawBody?: Buffer;
  body?: unknown;
  stream?: string;
}

function contextFor(d: Delivery) {
  const headers = {
    'content-type': 'application/json',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-github-event': 'push',
    'x-hub-signature-256': d.signature,
  };
  const stream = new PassThrough();
  if (d.stream !== undefined) stream.end(d.stream);
  const request = Object.assign(stream, {
    method: 'POST',
    url: '/hooks',
    headers,
    rawHeaders: Object.entries(headers).flat(),
    socket: { remoteAddress: '127.0.0.1' },
    ...(d.rawBody !== undefined ? { rawBody: d.rawBody } : {}),
    ...(d.body !== undefined ? { body: d.body } : {}),
  }) as unknown as Record<string, unknown>;
  const response = Object.assign(new PassThrough(), {
    setHeader() {},
    getHeader: () => undefined,
    appendHeader() {},
    statusCode: 200,
  });
  const context = {
    switchToHttp: () => ({
      getRequest: () => request,
      getResponse: () => response,
      getNext: () => undefined,
    }),
    getClass: () => HooksController,
    getHandler: () => HooksController.prototype.receive,
    getType: () => 'http',
  } as unknown as ExecutionContext;
  return { context, request };
}

/** canActivate's answer: 'true', or the status and code of the denial. */
async function outcome(answer: boolean | Promise<boolean>): Promise<string> {
  try {
    return String(await answer);
  } catch (e) {
    const denied = e as BulwarkAnswer;
    expect(denied).toBeInstanceOf(BulwarkAnswer);
    return `${denied.getStatus()} ${denied.error?.code}`;
  }
}

const guardOf = (map: ReadonlyMap<string, WebhookVerifier>) =>
  new WebhookGuard(map, new Reflector(), new ModulesContainer(), new HttpAdapterHost());

describe('nestjs: WebhookGuard with the body the platform kept', () => {
  it('hands the delivery to the verifier before canActivate returns', async () => {
    for (const signature of [sign(BODY), sign('forged')]) {
      const { map, calls } = verifiers();
      const { context } = contextFor({ signature, rawBody: Buffer.from(BODY) });
      const answer = guardOf(map).canActivate(context);
      expect(calls.check).toBe(1);
      expect(await outcome(answer)).toBe(
        signature === sign(BODY) ? 'true' : '401 WEBHOOK_SIGNATURE_MISMATCH',
      );
    }
  });

  it('refuses a forged delivery without a promise from check() (the settled check of core)', async () => {
    const { map } = verifiers();
    const github = map.get('github')!;
    const refusing = new Proxy(github, {
      get: (t, k) => (k === 'check' ? () => Promise.reject(new Error('check() called')) : Reflect.get(t, k)),
    });
    const { context } = contextFor({ signature: sign('forged'), rawBody: Buffer.from(BODY) });
    const guard = guardOf(new Map([['github', refusing]]));
    expect(await outcome(guard.canActivate(context))).toBe('401 WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('refuses a body a text parser turned into a string (415) before any verification', async () => {
    const { map, calls } = verifiers();
    const { context } = contextFor({ signature: sign(BODY), body: BODY });
    const answer = guardOf(map).canActivate(context);
    expect(answer).toBeInstanceOf(Promise);
    expect(await outcome(answer)).toBe('415 WEBHOOK_CONTENT_TYPE_UNSUPPORTED');
    expect(calls.check).toBe(0);
  });

  it('reads a body no parser consumed first, with the same answers', async () => {
    for (const signature of [sign(BODY), sign('forged')]) {
      const { map, calls } = verifiers();
      const read = contextFor({ signature, stream: BODY });
      const answer = guardOf(map).canActivate(read.context);
      expect(calls.check).toBe(0);
      const kept = contextFor({ signature, rawBody: Buffer.from(BODY) });
      const settled = await outcome(answer);
      expect(calls.check).toBe(1);
      expect(settled).toBe(await outcome(guardOf(verifiers().map).canActivate(kept.context)));
      if (settled === 'true') expect((read.request.webhook as { text(): string }).text()).toBe(BODY);
    }
  });
});
