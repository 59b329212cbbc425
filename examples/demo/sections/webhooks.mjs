import { Webhook } from 'standardwebhooks';
import { answer, call, row } from '../lib.mjs';

/** The payments webhook secret the tour gives the example APIs (WEBHOOK_SECRET). */
export const DEMO_WEBHOOK_SECRET = 'whsec_RGVtb1dlYmhvb2tTZWNyZXQtMDEyMzQ1Njc4OQ==';

/**
 * Signed webhooks: POST /webhooks/payments accepts Standard Webhooks deliveries signed with the payment
 * provider's secret. Deliveries are signed here by the `standardwebhooks` library, as a real sender would;
 * the attacker replays, tampers, re-serialises and forges them.
 */
export default {
  title: 'Signed webhooks: replayed and tampered deliveries (POST /webhooks/payments)',
  async run({ base }) {
    const sender = new Webhook(DEMO_WEBHOOK_SECRET);
    const id = `msg_tour_${Date.now()}`;
    const now = new Date();
    const body = JSON.stringify({ type: 'payment.succeeded', data: { order: 'ord_1', amount: 4200 } });
    const signed = (msgId, at, payload, webhook = sender) => ({
      'content-type': 'application/json',
      'webhook-id': msgId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': webhook.sign(msgId, at, payload),
    });
    const deliver = (headers, payload) =>
      call(base, '/webhooks/payments', { method: 'POST', headers, body: payload });
    const headers = signed(id, now, body);
    const signature = headers['webhook-signature'];
    const rows = [];

    const first = await deliver(headers, body);
    rows.push(row('genuine delivery, signed by standardwebhooks', '200', first));

    const replay = await deliver(headers, body);
    const duplicate = replay.status === 200 && /"duplicate":true/.test(replay.text);
    rows.push({
      attack: 'the same delivery replayed',
      expected: '200 duplicate, handler not run',
      got: `${answer(replay)}${duplicate ? ' duplicate, handler not run' : ` ${replay.text.slice(0, 40)}`}`,
      pass: duplicate,
    });

    rows.push(
      row(
        'amount changed in transit (4200 → 1)',
        '401 WEBHOOK_SIGNATURE_MISMATCH',
        await deliver(headers, body.replace('4200', '1')),
        signature.slice(3, 24),
      ),
    );
    rows.push(
      row(
        'JSON re-serialised by a proxy (same data)',
        '401 WEBHOOK_SIGNATURE_MISMATCH',
        await deliver(headers, JSON.stringify(JSON.parse(body), null, 2)),
      ),
    );
    const captured = new Date(now.getTime() - 10 * 60_000);
    const oldId = `msg_tour_old_${Date.now()}`;
    rows.push(
      row(
        'captured delivery replayed 10 min later',
        '401 WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
        await deliver(signed(oldId, captured, body), body),
      ),
    );
    const forger = new Webhook('whsec_Z3Vlc3NlZC1zZWNyZXQtZ3Vlc3NlZC0wMTIz');
    rows.push(
      row(
        'forged with a guessed secret',
        '401 WEBHOOK_SIGNATURE_MISMATCH',
        await deliver(signed(`msg_forged_${Date.now()}`, now, body, forger), body),
      ),
    );
    const twice = Object.entries(headers).flat().concat('webhook-signature', signature);
    rows.push(
      row('webhook-signature header sent twice', '400 WEBHOOK_HEADER_DUPLICATE', await deliver(twice, body)),
    );
    rows.push(
      row(
        '50 signatures in one header',
        '400 WEBHOOK_TOO_MANY_SIGNATURES',
        await deliver({ ...headers, 'webhook-signature': Array(50).fill(signature).join(' ') }, body),
      ),
    );
    rows.push(
      row(
        'timestamp in milliseconds',
        '400 WEBHOOK_TIMESTAMP_INVALID',
        await deliver({ ...headers, 'webhook-timestamp': String(now.getTime()) }, body),
      ),
    );
    return rows;
  },
};
