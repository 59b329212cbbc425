// The HMAC term of the webhook refusal's floor: per delivery of the e2e webhook case (WEBHOOK_REQUEST: a GitHub
// delivery whose X-Hub-Signature-256 is well-formed but wrong), the plain node:crypto floor (createHmac of the
// body + timingSafeEqual with the presented 32 bytes) against bulwark's whole settled check of that delivery
// (webhookCheckNow on fromNodeRequest of a node-shaped request: headers, event id, signature parse, UTF-8, HMAC,
// compare, the 401 denial). Process CPU per slice, rounds alternated, per-round ratio check ÷ floor.
// Usage: node bench/webhook-floor/hmac.mjs [rounds] [deliveries per slice]   (Session 8 in bench/notes.md)
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createWebhookVerifier } from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import { webhookCheckNow } from '@bulwark/core/toolkit';
import { makeConfig, WEBHOOK_REQUEST } from '../e2e/config.mjs';

const rounds = Number(process.argv[2] ?? 9);
const n = Number(process.argv[3] ?? 100_000);
const { server } = await makeConfig();
const secret = server.webhookSecret;
const body = Buffer.from(WEBHOOK_REQUEST.body);
const headers = {
  host: '127.0.0.1:3000',
  ...WEBHOOK_REQUEST.headers,
  'content-length': String(body.length),
};
const rawHeaders = Object.entries(headers).flat();
// Fresh header objects per request, as node makes them.
const requests = Array.from({ length: 256 }, () => ({
  method: 'POST',
  url: WEBHOOK_REQUEST.path,
  headers: { ...headers },
  rawHeaders: [...rawHeaders],
  socket: { remoteAddress: '127.0.0.1' },
}));
const presented = Buffer.from(WEBHOOK_REQUEST.headers['x-hub-signature-256'].slice(7), 'hex');
const now = webhookCheckNow(createWebhookVerifier({ scheme: 'github', secrets: secret }));
const check = (i) => now(fromNodeRequest(requests[i & 255], { url: WEBHOOK_REQUEST.path }), body);
const first = check(0);
if (first.ok || first.error.code !== 'WEBHOOK_SIGNATURE_MISMATCH')
  throw new Error('not refused as a mismatch');
const cases = {
  'createHmac + timingSafeEqual': () =>
    timingSafeEqual(createHmac('sha256', secret).update(body).digest(), presented),
  'bulwark check (401)': check,
};
const names = Object.keys(cases);
const per = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < rounds + 2; r++) {
  for (const name of r % 2 ? [...names].reverse() : names) {
    const f = cases[name];
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f(i);
    const t = process.cpuUsage(t0);
    if (r >= 2) per[name].push((t.user + t.system) / n);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ratios = per[names[1]].map((c, i) => c / per[names[0]][i]);
for (const name of names) console.log(`${name.padEnd(30)} ${median(per[name]).toFixed(2)} µs per delivery`);
console.log(
  `check ÷ floor per round: ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}), ${process.version}`,
);
