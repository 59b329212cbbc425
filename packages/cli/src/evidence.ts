import { decodeBase64UrlText } from '@bulwark/core/toolkit';
import type { ProbeResponse } from './client.js';
import type { Evidence } from './findings.js';

/** Headers whose values are credentials or signatures: never printed. */
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)$|signature/;
/** Query parameters that carry credentials. */
const SECRET_PARAM = /token|jwt|key|secret|signature|sig|password|code/i;
const MAX_HEADERS = 30;
const MAX_VALUE = 200;
const MAX_BODY = 400;

/**
 * Secrets the audit handles (the user's token and its signature, header values, webhook signatures):
 * any occurrence in a request or response excerpt is replaced with `[redacted]`.
 */
export class Secrets {
  readonly #values = new Set<string>();
  add(value: string | undefined): void {
    // Short strings would redact ordinary words; nothing secret is that short.
    if (value !== undefined && value.length >= 8) this.#values.add(value);
  }
  scrub(text: string): string {
    let out = text;
    for (const v of this.#values) out = out.split(v).join('[redacted]');
    return out;
  }
}

/**
 * Show a credential header without its secret: a JWT as its decoded header (what a reader needs to see for
 * a forged `alg: none` token), anything else as its length.
 */
export function redactHeaderValue(name: string, value: string): string {
  if (!SECRET_HEADER.test(name)) return value;
  // Cookies: names and attributes stay (Secure, HttpOnly and SameSite are evidence), values go.
  if (name === 'cookie') return value.replace(/=[^;]*/g, '=[redacted]');
  if (name === 'set-cookie') return value.replace(/^([^=;]*)=[^;]*/, '$1=[redacted]');
  const bearer = /^(bearer|dpop)\s+(\S.*)$/i.exec(value); // `\S` first: `\s+(.+)` is quadratic on spaces
  const token = bearer?.[2] ?? value;
  const jwt = describeJwt(token);
  if (jwt !== undefined) return `${bearer ? `${bearer[1]} ` : ''}${jwt}`;
  return `${bearer ? `${bearer[1]} ` : ''}[redacted, ${token.length} chars]`;
}

/** `<JWT header {"alg":"none"}, signature empty>` for a compact JWS, undefined for anything else. */
export function describeJwt(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodeBase64UrlText(parts[0]!);
  if (header === undefined || !header.startsWith('{')) return undefined;
  const sig = parts[2] === '' ? 'no signature' : 'signature redacted';
  return `<JWT header ${header.length > 160 ? `${header.slice(0, 160)}…` : header}, ${sig}>`;
}

function redactUrl(href: string): string {
  const url = new URL(href);
  for (const [k] of url.searchParams) {
    if (SECRET_PARAM.test(k)) url.searchParams.set(k, 'REDACTED');
  }
  return `${url.pathname}${url.search}`;
}

function clip(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}… (${value.length} chars)` : value;
}

/**
 * The request and response of one probe as excerpts for the report: every header with credentials
 * redacted, long values clipped, the body's start (when `withBody`), and known secrets scrubbed.
 *
 * @example
 * const evidence = excerpt(res, secrets, { withBody: true });
 */
export function excerpt(res: ProbeResponse, secrets: Secrets, opts: { withBody?: boolean } = {}): Evidence {
  const req = res.request;
  const reqLines = [`${req.method} ${redactUrl(req.url)} HTTP/1.1`];
  for (const [n, v] of req.headers) {
    if (n === 'user-agent' || n === 'accept' || n === 'connection' || n === 'content-length') continue;
    reqLines.push(`${n}: ${clip(redactHeaderValue(n, v), MAX_VALUE)}`);
  }
  if (req.body !== undefined) reqLines.push('', clip(req.body, MAX_BODY));
  const resLines = [`HTTP/1.1 ${res.status} ${res.statusText}`.trimEnd()];
  for (const [n, v] of res.headerPairs.slice(0, MAX_HEADERS)) {
    resLines.push(`${n}: ${clip(redactHeaderValue(n, v), MAX_VALUE)}`);
  }
  if (res.headerPairs.length > MAX_HEADERS)
    resLines.push(`… ${res.headerPairs.length - MAX_HEADERS} more headers`);
  const text = res.text();
  if (opts.withBody && text.length > 0) resLines.push('', clip(text, MAX_BODY));
  if (res.truncated) resLines.push('[body cut at the size cap]');
  return { request: secrets.scrub(reqLines.join('\n')), response: secrets.scrub(resLines.join('\n')) };
}
