import { audit, DEFAULT_OPTIONS, renderText, severityOf } from '@bulwark/cli';
import { Webhook } from 'standardwebhooks';
import { DEMO_WEBHOOK_SECRET } from './webhooks.mjs';

/**
 * The tour ends the way a user would check their own API: `bulwark audit` probes the running example from
 * outside (headers, CORS, JWT forgeries, the rate limit with spoofed addresses, webhooks with a signed
 * sample) and prints its report. The example is hardened, so nothing high or critical may be found.
 */
export function auditOptions({ base, idp, token, webhookSecret = DEMO_WEBHOOK_SECRET }) {
  const id = `msg_audit_${Date.now()}`;
  const at = new Date();
  const body = JSON.stringify({ type: 'payment.succeeded', data: { order: 'ord_audit', amount: 100 } });
  const signature = new Webhook(webhookSecret).sign(id, at, body);
  return {
    ...DEFAULT_OPTIONS,
    urls: [`${base}/health`, `${base}/orders`],
    origins: ['https://app.example.com'],
    token,
    jwksUrl: idp.jwksUri,
    keyServer: 'http://127.0.0.1:0',
    probeRateLimit: 8,
    rateLimitPath: '/password-reset',
    rateLimitMethod: 'POST',
    webhook: '/webhooks/payments',
    webhookSample: {
      headers: [
        ['content-type', 'application/json'],
        ['webhook-id', id],
        ['webhook-timestamp', String(Math.floor(at.getTime() / 1000))],
        ['webhook-signature', signature],
      ],
      body: new TextEncoder().encode(body),
    },
  };
}

export default {
  title: 'bulwark audit: the same API probed from outside (npx @bulwark/cli audit …)',
  async run({ base, idp }) {
    const report = await audit(auditOptions({ base, idp, token: await idp.mint() }));
    console.log(`\n${renderText(report, { failOn: 'high' }).trimEnd()}`);
    const high = report.findings.filter((f) => ['critical', 'high'].includes(severityOf(f)));
    return [
      {
        attack: `${report.requests} probes: forged JWTs, look-alike origins, spoofed IPs, replays`,
        expected: '0 high or critical',
        got: `${high.length} high or critical${high.length ? ` (${high.map((f) => f.rule.id).join(', ')})` : ''}`,
        pass: high.length === 0,
      },
      {
        attack: 'every probe completed',
        expected: 'complete',
        got: report.warnings.length === 0 ? 'complete' : `incomplete: ${report.warnings[0]}`,
        pass: report.warnings.length === 0,
      },
    ];
  },
};
