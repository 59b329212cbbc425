import { UsageError } from '../errors.js';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Hop-by-hop and framing headers are the client's to set, never the sample's.
const DROPPED = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
  'expect',
]);

/**
 * Parse the headers of a captured webhook delivery: one `Name: value` per line (CRLF or LF), an optional
 * request line first (`POST /hooks HTTP/1.1`, ignored), blank lines and `#` comments skipped. Framing
 * headers (Host, Content-Length…) are dropped: the audit sets them for the body it sends.
 *
 * @example
 * parseWebhookHeaders('--webhook-headers', 'webhook-id: msg_1\nwebhook-timestamp: 1700000000\n')
 */
export function parseWebhookHeaders(flag: string, text: string): [string, string][] {
  const out: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (i === 0 && /^[A-Z]+ \S+ HTTP\/\d(\.\d)?$/.test(line)) return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    if (!TOKEN.test(name)) {
      throw new UsageError(`${flag}: line ${i + 1} is not "Name: value"`);
    }
    const value = line.slice(colon + 1).trim();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value))
      throw new UsageError(`${flag}: line ${i + 1} has control characters`);
    if (!DROPPED.has(name.toLowerCase())) out.push([name.toLowerCase(), value]);
  });
  if (out.length === 0)
    throw new UsageError(`${flag}: no headers found; the file needs the delivery's signature headers`);
  return out;
}

/** The delivery time a sample states, in Unix seconds, and which header said it. */
export interface SampleTime {
  readonly seconds: number;
  readonly header: string;
}

/**
 * Find the signed timestamp of a delivery: Standard Webhooks `webhook-timestamp`, Stripe `t=` in
 * `stripe-signature`, Slack `x-slack-request-timestamp`, or any `*-timestamp` header with Unix seconds
 * (milliseconds are recognised and converted).
 *
 * @example
 * sampleTime([['stripe-signature', 't=1700000000,v1=ab…']]) // { seconds: 1700000000, header: 'stripe-signature' }
 */
export function sampleTime(headers: readonly (readonly [string, string])[]): SampleTime | undefined {
  const get = (n: string) => headers.find(([k]) => k === n)?.[1];
  const seconds = (v: string | undefined) => {
    if (v === undefined || !/^\d{9,13}$/.test(v.trim())) return undefined;
    const n = Number(v.trim());
    return n > 1e11 ? Math.floor(n / 1000) : n;
  };
  for (const name of ['webhook-timestamp', 'svix-timestamp', 'x-slack-request-timestamp']) {
    const s = seconds(get(name));
    if (s !== undefined) return { seconds: s, header: name };
  }
  const stripe = get('stripe-signature');
  const t = stripe === undefined ? undefined : seconds(/(?:^|,)\s*t=(\d+)/.exec(stripe)?.[1]);
  if (t !== undefined) return { seconds: t, header: 'stripe-signature' };
  for (const [name, value] of headers) {
    if (!name.endsWith('-timestamp')) continue;
    const s = seconds(value);
    if (s !== undefined) return { seconds: s, header: name };
  }
  return undefined;
}

/** Header names that carry a signature (their values are secrets for the report). */
export function isSignatureHeader(name: string): boolean {
  return /signature|^x-hub-signature|^x-slack-signature/.test(name);
}
