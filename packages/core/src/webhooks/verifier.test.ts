import { describe, expect, it, vi } from 'vitest';
import { createHmac } from 'node:crypto';
import { fromFetchRequest, type RequestLike } from '../http/request.js';
import type { Verdict } from '../verdict.js';
import { hmacBackend } from './signature-backend.js';
import type { WebhookDelivery } from './delivery.js';
import { signWebhook } from './sign.js';
import { createWebhookVerifier } from './verifier.js';

const encoder = new TextEncoder();
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = 1_800_000_000;
const BODY = '{"type":"invoice.paid","id":"inv_1"}';

/** A request whose headers may repeat: a flat list of [name, value] pairs. */
function request(pairs: [string, string][], body: string | Uint8Array = BODY): RequestLike {
  return {
    method: 'POST',
    url: '/hooks?token=x',
    header: (n) => {
      const all = pairs.filter(([k]) => k === n).map(([, v]) => v);
      return all.length === 0 ? undefined : all.join(', ');
    },
    headerValues: (n) => pairs.filter(([k]) => k === n).map(([, v]) => v),
    rawBody: typeof body === 'string' ? encoder.encode(body) : body,
  };
}

async function signed(
  overrides: { id?: string; timestamp?: number; body?: string | Uint8Array } = {},
): Promise<[string, string][]> {
  const headers = await signWebhook({
    secret: SECRET,
    id: overrides.id ?? 'msg_1',
    timestamp: overrides.timestamp ?? NOW,
    body: overrides.body ?? BODY,
  });
  return Object.entries(headers);
}

function replace(pairs: [string, string][], name: string, value: string): [string, string][] {
  return pairs.map(([k, v]) => [k, k === name ? value : v]);
}

function code(verdict: Verdict<WebhookDelivery>): string {
  return verdict.ok ? 'OK' : (verdict.error?.code ?? 'ANSWERED');
}

const standard = (
  extra: Parameters<typeof createWebhookVerifier>[0] extends infer O ? Partial<O> : never = {},
) => createWebhookVerifier({ scheme: 'standard', secrets: SECRET, now: () => NOW * 1000, ...extra });

describe('timestamps', () => {
  it('accepts ±299 s and refuses ±301 s, on both sides', async () => {
    const v = standard();
    for (const [offset, expected] of [
      [299, 'OK'],
      [-299, 'OK'],
      [300, 'OK'],
      [-300, 'OK'],
      [301, 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE'],
      [-301, 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE'],
    ] as const) {
      const pairs = await signed({ id: `msg_${offset}`, timestamp: NOW + offset });
      expect(code(await v.check(request(pairs))), `offset ${offset}`).toBe(expected);
    }
  });

  it('refuses timestamps that are not ^\\d{1,10}$ with WEBHOOK_TIMESTAMP_INVALID (400)', async () => {
    const v = standard();
    const pairs = await signed();
    for (const bad of [
      '1614265330abc',
      '1.6e9',
      String(NOW * 1000),
      '-1800000000',
      ' 1800000000',
      '0x6b49d200',
      '',
    ]) {
      const verdict = await v.check(request(replace(pairs, 'webhook-timestamp', bad)));
      const want = bad === '' ? 'WEBHOOK_HEADER_MISSING' : 'WEBHOOK_TIMESTAMP_INVALID';
      expect(code(verdict), JSON.stringify(bad)).toBe(want);
      if (!verdict.ok) expect(verdict.error?.status).toBe(400);
    }
  });

  it('a 401 for a stale timestamp names the direction only to onEvent', async () => {
    const events: { code?: string; detail?: string; path?: string }[] = [];
    const v = standard({ onEvent: (e) => events.push(e) });
    const verdict = await v.check(request(await signed({ timestamp: NOW - 3600 })));
    expect(verdict.ok || verdict.error?.status).toBe(401);
    expect(events[0]).toMatchObject({ code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE', path: '/hooks' });
    expect(events[0]?.detail).toContain('past');
  });
});

describe('signature headers', () => {
  it('refuses a truncated, wrong-length or non-canonical base64 signature as malformed', async () => {
    const v = standard();
    const pairs = await signed();
    const good = pairs.find(([k]) => k === 'webhook-signature')![1].slice(3);
    for (const bad of [
      `v1,${good.slice(0, -4)}`,
      `v1,${good.slice(0, 20)}`,
      `v1,${good}AAAA`,
      `v1,${good.replace('=', '')}`,
      `v1,-${good.slice(1)}`,
      `v1,${good.slice(0, -2)}B=`,
      'v1,',
      good,
      `V1,${good}`,
      `v1,${good}  v1,${good}`,
    ]) {
      expect(code(await v.check(request(replace(pairs, 'webhook-signature', bad)))), bad).toBe(
        'WEBHOOK_SIGNATURE_MALFORMED',
      );
    }
  });

  it('ignores unknown versions, but a header with none that matches is a mismatch', async () => {
    const v = standard();
    const pairs = await signed();
    const sig = pairs.find(([k]) => k === 'webhook-signature')![1];
    expect(code(await v.check(request(replace(pairs, 'webhook-signature', `v2,abc ${sig}`))))).toBe('OK');
    expect(code(await v.check(request(replace(pairs, 'webhook-signature', 'v2,abc'))))).toBe(
      'WEBHOOK_SIGNATURE_MISMATCH',
    );
  });

  it('refuses 1000 signatures in one header without computing any HMAC', async () => {
    const v = standard();
    const pairs = await signed();
    const sig = pairs.find(([k]) => k === 'webhook-signature')![1];
    const before = hmacBackend.operations();
    const verdict = await v.check(
      request(replace(pairs, 'webhook-signature', Array(1000).fill(sig).join(' '))),
    );
    expect(code(verdict)).toBe('WEBHOOK_TOO_MANY_SIGNATURES');
    expect(hmacBackend.operations()).toBe(before);
  });

  it('computes no HMAC for any malformed header, oversize or empty body', async () => {
    const v = standard({ maxBodyBytes: 64 });
    const pairs = await signed();
    const before = hmacBackend.operations();
    const cases: RequestLike[] = [
      request(replace(pairs, 'webhook-signature', 'v1,nope')),
      request(replace(pairs, 'webhook-timestamp', '1.6e9')),
      request(replace(pairs, 'webhook-timestamp', String(NOW - 1000))),
      request(pairs.filter(([k]) => k !== 'webhook-id')),
      request([...pairs, ['webhook-signature', 'v1,x']]),
      request(pairs, 'x'.repeat(65)),
      request(pairs, ''),
      request(pairs, new Uint8Array([0x7b, 0xff, 0x7d])),
    ];
    for (const req of cases) expect((await v.check(req)).ok).toBe(false);
    expect(hmacBackend.operations()).toBe(before);
    // Control: a well-formed delivery does compute one (so the counter is really counting).
    expect((await v.check(request(pairs))).ok).toBe(true);
    expect(hmacBackend.operations()).toBe(before + 1);
  });

  it('refuses missing headers (400) and repeated headers (400)', async () => {
    const v = standard();
    const pairs = await signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const missing = await v.check(request(pairs.filter(([k]) => k !== name)));
      expect(code(missing), name).toBe('WEBHOOK_HEADER_MISSING');
      const twice = await v.check(request([...pairs, pairs.find(([k]) => k === name)!]));
      expect(code(twice), name).toBe('WEBHOOK_HEADER_DUPLICATE');
    }
  });

  it('detects repeats joined with ", " when the runtime cannot list them (WHATWG Headers)', async () => {
    const v = standard();
    const pairs = await signed();
    const headers = new Headers(pairs);
    headers.append('webhook-signature', pairs.find(([k]) => k === 'webhook-signature')![1]);
    const req = fromFetchRequest(new Request('http://x/hooks', { method: 'POST', headers }), {
      rawBody: encoder.encode(BODY),
    });
    expect(code(await v.check(req))).toBe('WEBHOOK_HEADER_DUPLICATE');
    const single = fromFetchRequest(new Request('http://x/hooks', { method: 'POST', headers: pairs }), {
      rawBody: encoder.encode(BODY),
    });
    expect(code(await v.check(single))).toBe('OK');
  });

  it('refuses an event id outside 1-256 printable ASCII', async () => {
    const v = standard();
    const pairs = await signed();
    for (const bad of ['msg 1', 'x'.repeat(257), 'msg_\u00e9']) {
      expect(code(await v.check(request(replace(pairs, 'webhook-id', bad))))).toBe('WEBHOOK_ID_INVALID');
    }
  });
});

describe('bodies', () => {
  it('refuses a body modified by one byte (401 WEBHOOK_SIGNATURE_MISMATCH)', async () => {
    const v = standard();
    const pairs = await signed();
    const bytes = encoder.encode(BODY);
    for (const i of [0, 10, bytes.length - 1]) {
      const copy = bytes.slice();
      copy[i] = copy[i]! ^ 0x01;
      const verdict = await v.check(request(pairs, copy));
      expect(code(verdict)).toBe('WEBHOOK_SIGNATURE_MISMATCH');
      if (!verdict.ok) expect(verdict.error?.status).toBe(401);
    }
  });

  it('refuses invalid UTF-8 (400), an empty body (400) and a body over the limit (413)', async () => {
    const v = standard({ maxBodyBytes: 1024 });
    const pairs = await signed();
    expect(code(await v.check(request(pairs, new Uint8Array([0x22, 0xc3, 0x28, 0x22]))))).toBe(
      'WEBHOOK_BODY_NOT_UTF8',
    );
    expect(code(await v.check(request(pairs, '')))).toBe('WEBHOOK_BODY_EMPTY');
    const big = await v.check(request(pairs, 'x'.repeat(1025)));
    expect(code(big)).toBe('WEBHOOK_BODY_TOO_LARGE');
    if (!big.ok) expect(big.error?.status).toBe(413);
  });

  it('the JSON-reparsed body pitfall: a parsed object is a TypeError that says so, re-serialised JSON mismatches', async () => {
    const v = standard();
    const spaced = '{"type": "invoice.paid",  "id": "inv_1"}';
    const pairs = await signed({ body: spaced });
    const parsed = JSON.parse(spaced) as object;
    await expect(v.check(request(pairs), parsed as Uint8Array)).rejects.toThrow(/raw body bytes.*parsed/s);
    await expect(v.check(request(pairs), JSON.stringify(parsed) as unknown as Uint8Array)).rejects.toThrow(
      TypeError,
    );
    expect(code(await v.check(request(pairs, JSON.stringify(parsed))))).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    expect(code(await v.check(request(pairs, spaced)))).toBe('OK');
  });

  it('accepts an ArrayBuffer as raw bytes', async () => {
    const v = standard();
    const pairs = await signed();
    expect(code(await v.check(request(pairs), encoder.encode(BODY).buffer as ArrayBuffer))).toBe('OK');
  });
});

describe('Stripe and GitHub header strictness', () => {
  const secret = 'whsec_stripe_like_secret_0123456789';

  it('Stripe: uppercase or short hex, missing t, duplicate t, too many v1 are refused', async () => {
    const v = createWebhookVerifier({ scheme: 'stripe', secrets: secret, now: () => NOW * 1000 });
    const body = '{"id":"evt_1"}';
    const h = (await signWebhook({ scheme: 'stripe', secret, body, timestamp: NOW }))['stripe-signature']!;
    const hex = h.split('v1=')[1]!;
    const req = (value: string) => request([['stripe-signature', value]], body);
    expect(code(await v.check(req(h)))).toBe('OK');
    expect(code(await v.check(req(`t=${NOW},v1=${hex.toUpperCase()}`)))).toBe('WEBHOOK_SIGNATURE_MALFORMED');
    expect(code(await v.check(req(`t=${NOW},v1=${hex.slice(2)}`)))).toBe('WEBHOOK_SIGNATURE_MALFORMED');
    expect(code(await v.check(req(`v1=${hex}`)))).toBe('WEBHOOK_SIGNATURE_MALFORMED');
    expect(code(await v.check(req(`t=${NOW},t=${NOW},v1=${hex}`)))).toBe('WEBHOOK_SIGNATURE_MALFORMED');
    expect(code(await v.check(req(`t=${NOW}abc,v1=${hex}`)))).toBe('WEBHOOK_TIMESTAMP_INVALID');
    expect(code(await v.check(req(`t=${NOW},${Array(1000).fill(`v1=${hex}`).join(',')}`)))).toBe(
      'WEBHOOK_TOO_MANY_SIGNATURES',
    );
    expect(code(await v.check(req(`t=${NOW - 301},v1=${hex}`)))).toBe('WEBHOOK_TIMESTAMP_OUT_OF_RANGE');
  });

  it('Stripe: a verified body without an event id is refused', async () => {
    const v = createWebhookVerifier({ scheme: 'stripe', secrets: secret, now: () => NOW * 1000 });
    const body = '{"object":"event"}';
    const headers = await signWebhook({ scheme: 'stripe', secret, body, timestamp: NOW });
    expect(code(await v.check(request(Object.entries(headers), body)))).toBe('WEBHOOK_ID_INVALID');
  });

  it('GitHub: delivery id is mandatory, uppercase hex and missing prefix are malformed', async () => {
    const ghSecret = "It's a Secret to Everybody";
    const v = createWebhookVerifier({ scheme: 'github', secrets: ghSecret });
    const body = 'Hello, World!';
    const sig = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    const req = (pairs: [string, string][]) => request(pairs, body);
    expect(code(await v.check(req([['x-hub-signature-256', sig]])))).toBe('WEBHOOK_HEADER_MISSING');
    const withId = (s: string): [string, string][] => [
      ['x-hub-signature-256', s],
      ['x-github-delivery', 'guid-1'],
    ];
    expect(code(await v.check(req(withId(sig.toUpperCase()))))).toBe('WEBHOOK_SIGNATURE_MALFORMED');
    expect(code(await v.check(req(withId(sig.slice(7)))))).toBe('WEBHOOK_SIGNATURE_MALFORMED');
    expect(code(await v.check(req(withId(`sha256=${'0'.repeat(64)}`))))).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    expect(code(await v.check(req(withId(sig))))).toBe('OK');
  });
});

describe('content encoding', () => {
  it('refuses a content-encoded body (415): a signature must cover one unambiguous byte string', async () => {
    const v = standard();
    for (const encoding of ['gzip', 'br', 'deflate', 'x-bogus', 'identity, gzip']) {
      const pairs: [string, string][] = [...(await signed()), ['content-encoding', encoding]];
      const verdict = await v.check(request(pairs));
      expect(code(verdict), encoding).toBe('WEBHOOK_CONTENT_ENCODING_UNSUPPORTED');
      expect(verdict.ok ? 0 : verdict.error?.status).toBe(415);
    }
    for (const [i, encoding] of ['identity', 'Identity'].entries()) {
      const pairs: [string, string][] = [
        ...(await signed({ id: `msg_ce${i}` })),
        ['content-encoding', encoding],
      ];
      expect(code(await v.check(request(pairs))), encoding).toBe('OK');
    }
  });
});

describe('refusal events', () => {
  /** A GitHub delivery with a well-formed signature that is not the body's MAC, counting reads of its url. */
  const forged = () => {
    let urlReads = 0;
    const req = request([
      ['x-hub-signature-256', `sha256=${'5a'.repeat(32)}`],
      ['x-github-delivery', '72d3162e-cc78-11e3-81ab-4c9367dc0958'],
    ]);
    const { url } = req;
    Object.defineProperty(req, 'url', {
      get: () => {
        urlReads++;
        return url;
      },
    });
    return { req, reads: () => urlReads };
  };

  it('builds no event when nobody receives it, and the same event as before for a hook', async () => {
    const quiet = createWebhookVerifier({ scheme: 'github', secrets: 'github-secret-0123456789' });
    const a = forged();
    const denied = await quiet.check(a.req);
    expect(!denied.ok && denied.error?.code).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    // No event: the request path (the only thing the event reads from the url) was never parsed.
    expect(a.reads()).toBe(0);

    const events: { type: string; code?: string; path?: string; detail?: string }[] = [];
    const heard = createWebhookVerifier({
      scheme: 'github',
      secrets: 'github-secret-0123456789',
      onEvent: (e) => events.push(e),
    });
    const b = forged();
    const again = await heard.check(b.req);
    expect(again).toEqual(denied);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'webhook.rejected',
        code: 'WEBHOOK_SIGNATURE_MISMATCH',
        path: '/hooks',
        detail: 'no presented signature matches any of 1 keys',
      }),
    ]);
  });
});

describe('the body as text', () => {
  const secret = 'github-secret-0123456789';
  const github = (body: Uint8Array, signature: string) => {
    const req = request(
      [
        ['x-hub-signature-256', signature],
        ['x-github-delivery', '72d3162e-cc78-11e3-81ab-4c9367dc0958'],
      ],
      body,
    );
    return req;
  };
  const macOf = (body: Uint8Array) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('a forged delivery is refused without decoding its body; a verified one decodes it on demand, BOM kept', async () => {
    const v = createWebhookVerifier({ scheme: 'github', secrets: secret });
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('{"zen":"é"}')]);
    const decode = vi.spyOn(TextDecoder.prototype, 'decode');
    try {
      const forged = await v.check(github(body, `sha256=${'5a'.repeat(32)}`));
      expect(!forged.ok && forged.error?.code).toBe('WEBHOOK_SIGNATURE_MISMATCH');
      expect(decode).not.toHaveBeenCalled();
      const verdict = await v.verifySignature(github(body, macOf(body)));
      expect(verdict.ok).toBe(true);
      if (!verdict.ok) return;
      // As the fatal check's decoder always gave it: the leading BOM is part of the text.
      expect(verdict.value.text()).toBe('\uFEFF{"zen":"é"}');
      const invalid = await v.check(
        github(new Uint8Array([0x7b, 0xff, 0x7d]), macOf(new Uint8Array([0x7b, 0xff, 0x7d]))),
      );
      expect(!invalid.ok && invalid.error?.code).toBe('WEBHOOK_BODY_NOT_UTF8');
    } finally {
      decode.mockRestore();
    }
  });
});
