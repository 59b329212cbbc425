import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseWebhookHeaders, sampleTime } from './webhook-sample.js';

describe('parseWebhookHeaders', () => {
  it('reads Name: value lines, skips a request line, comments and framing headers', () => {
    const text =
      'POST /webhooks HTTP/1.1\r\nHost: api.example.com\r\n# captured 2025-01-01\r\nWebhook-Id: msg_1\r\nContent-Length: 12\r\nwebhook-signature: v1,abc== v1,def==\r\n\r\n';
    expect(parseWebhookHeaders('--webhook-headers', text)).toEqual([
      ['webhook-id', 'msg_1'],
      ['webhook-signature', 'v1,abc== v1,def=='],
    ]);
  });

  it('refuses lines that are not headers, control characters and empty files, naming the flag and line', () => {
    expect(() => parseWebhookHeaders('--webhook-headers', 'webhook-id: 1\n{"a":1}')).toThrow(
      /--webhook-headers: line 2 is not "Name: value"/,
    );
    expect(() => parseWebhookHeaders('--webhook-headers', 'a: b\u0000c')).toThrow(UsageError);
    expect(() => parseWebhookHeaders('--webhook-headers', '\n# nothing\n')).toThrow(/no headers found/);
  });

  it('either parses into lower-case token names or throws UsageError, for any input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          for (const [name] of parseWebhookHeaders('f', s))
            expect(name).toMatch(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
        } catch (err) {
          expect(err).toBeInstanceOf(UsageError);
        }
      }),
    );
  });
});

describe('sampleTime', () => {
  it('finds the signed timestamp of each known sender', () => {
    expect(sampleTime([['webhook-timestamp', '1700000000']])).toEqual({
      seconds: 1_700_000_000,
      header: 'webhook-timestamp',
    });
    expect(sampleTime([['stripe-signature', 't=1700000001,v1=abc']])).toEqual({
      seconds: 1_700_000_001,
      header: 'stripe-signature',
    });
    expect(sampleTime([['x-slack-request-timestamp', '1700000002']])?.seconds).toBe(1_700_000_002);
    expect(sampleTime([['x-acme-timestamp', '1700000003000']])).toEqual({
      seconds: 1_700_000_003,
      header: 'x-acme-timestamp',
    });
    expect(sampleTime([['x-hub-signature-256', 'sha256=ab']])).toBeUndefined();
  });
});
