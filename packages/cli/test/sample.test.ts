import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startIssuer } from './apps/jwt.js';
import { misconfiguredApi } from './apps/misconfigured-api.js';
import { STRIPE_SECRET } from './apps/ratelimit-webhooks.js';
import { listen, type Running, runCli } from './helpers.js';

let idp: Awaited<ReturnType<typeof startIssuer>>;
let api: Running;
beforeAll(async () => {
  idp = await startIssuer();
  api = await listen(misconfiguredApi(idp));
});
afterAll(async () => {
  await api.close();
  await idp.close();
});

/** The command docs/audit.md shows, against the API with every usual mistake. */
export async function sampleArgs(): Promise<string[]> {
  const body = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { amount: 4200 } });
  const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
    payload: body,
    secret: STRIPE_SECRET,
  });
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-audit-doc-'));
  writeFileSync(
    join(dir, 'delivery.headers'),
    `content-type: application/json\nstripe-signature: ${signature}\n`,
  );
  writeFileSync(join(dir, 'delivery.json'), body);
  return [
    'audit',
    `${api.url}/orders`,
    '--token',
    await idp.mint(),
    '--jwks',
    idp.jwksUri,
    '--probe-rate-limit',
    '10',
    '--rate-limit-path',
    '/login',
    '--rate-limit-method',
    'POST',
    '--webhook',
    '/webhooks/stripe',
    '--webhook-headers',
    join(dir, 'delivery.headers'),
    '--webhook-body',
    join(dir, 'delivery.json'),
  ];
}

it('one report holds every planted mistake, most severe first in each area, and fails the gate', async () => {
  const args = await sampleArgs();
  const json = await runCli([...args, '--json', '--fail-on', 'none']);
  const report = JSON.parse(json.stdout) as { findings: { id: string; severity: string }[] };
  const ids = report.findings.map((f) => f.id);
  expect(ids).toEqual(
    expect.arrayContaining([
      'cors.reflects-any-origin',
      'jwt.alg-none',
      'jwt.key-confusion',
      'ratelimit.spoofable-key',
      'webhooks.reserialized-body',
      'webhooks.replay-accepted',
      'headers.csp-missing',
      'headers.technology-leak',
    ]),
  );
  const text = await runCli(args);
  expect(text.code).toBe(1);
  const order = ['Security headers (', 'CORS (', 'JWT bearer tokens (', 'Rate limiting (', 'Webhooks ('].map(
    (t) => text.stdout.indexOf(t),
  );
  expect(order.every((i) => i > 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  if (process.env.BULWARK_PRINT_SAMPLE === '1') console.log(`$ bulwark ${args.join(' ')}\n${text.stdout}`);
});
