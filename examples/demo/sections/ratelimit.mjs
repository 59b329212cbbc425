import { answer, call, row } from '../lib.mjs';

/**
 * Rate limiting against spoofed client addresses: POST /password-reset allows 5 requests per 15 minutes
 * per client. The API trusts no proxy (TRUSTED_PROXIES is empty), so every forwarding header the attacker
 * writes must be ignored and all of these requests are one client: the tour's own 127.0.0.1.
 */
export default {
  title: 'Rate limiting: spoofed X-Forwarded-For (POST /password-reset, 5 per 15 min)',
  async run({ base }) {
    const reset = (headers) => call(base, '/password-reset', { method: 'POST', headers });
    const rows = [];

    const first = [];
    for (let i = 1; i <= 5; i++) first.push(await reset({ 'x-forwarded-for': `198.51.100.${i}` }));
    const ok = first.filter((r) => r.status === 202).length;
    rows.push({
      attack: '5 requests, a new X-Forwarded-For each',
      expected: '5 × 202',
      got: `${ok} × 202`,
      pass: ok === 5,
    });

    rows.push(
      row(
        '6th request, yet another X-Forwarded-For',
        '429 RATELIMIT_EXCEEDED',
        await reset({ 'x-forwarded-for': '198.51.100.6' }),
      ),
    );
    rows.push(
      row(
        '100 fresh X-Forwarded-For values in a row',
        '429 RATELIMIT_EXCEEDED',
        await (async () => {
          let last;
          for (let i = 0; i < 100; i++) {
            last = await reset({ 'x-forwarded-for': `10.${i}.${(i * 7) & 255}.${(i * 13) & 255}` });
            if (last.status !== 429) break;
          }
          return last;
        })(),
      ),
    );
    rows.push(
      row(
        'RFC 7239 Forwarded: for="[2001:db8::1]"',
        '429 RATELIMIT_EXCEEDED',
        await reset({ forwarded: 'for="[2001:db8::1]:443"' }),
      ),
    );
    rows.push(
      row(
        'CF-Connecting-IP / X-Real-IP / True-Client-IP',
        '429 RATELIMIT_EXCEEDED',
        await reset({
          'cf-connecting-ip': '203.0.113.1',
          'x-real-ip': '203.0.113.2',
          'true-client-ip': '203.0.113.3',
        }),
      ),
    );
    rows.push(
      row(
        'X-Forwarded-For: unknown, junk, 999.1.1.1',
        '429 RATELIMIT_EXCEEDED',
        await reset({ 'x-forwarded-for': 'unknown, junk, 999.1.1.1' }),
      ),
    );

    const limited = await reset({ 'x-forwarded-for': '192.0.2.99' });
    const retryAfter = Number(limited.headers['retry-after']);
    const fields = `Retry-After ${limited.headers['retry-after']}; ${limited.headers.ratelimit}`;
    rows.push({
      attack: '429 tells the client when to come back',
      expected: '429, Retry-After ≥ 1, RateLimit r=0',
      got: `${answer(limited)}, ${fields}`,
      pass:
        limited.status === 429 &&
        Number.isInteger(retryAfter) &&
        retryAfter >= 1 &&
        /"ip";r=0;t=\d+/.test(String(limited.headers.ratelimit)),
    });
    return rows;
  },
};
