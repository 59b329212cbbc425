import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { describeNetworkError, ProbeError } from './errors.js';

/** The methods a probe may use. POST only reaches paths the user named (webhooks, a rate-limit path). */
export type ProbeMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST';

export interface ClientOptions {
  /** Per request, from connect to the last body byte. */
  readonly timeoutMs: number;
  /** Total requests for the whole audit, redirect hops included. */
  readonly maxRequests: number;
  /** Bytes of body kept per response; the connection is closed past it. */
  readonly maxBodyBytes: number;
  /** Host names (lower case) the audit may contact: the ones the user named. */
  readonly allowedHosts: ReadonlySet<string>;
  /** Extra CA certificates (PEM) trusted next to the system's. */
  readonly ca?: string;
  /** Pause before each request, so a production API is not hammered. */
  readonly delayMs?: number;
  /** Sent on every request unless a probe sets the same header (the user's --header values). */
  readonly extraHeaders?: readonly (readonly [string, string])[];
  readonly userAgent: string;
  /** Called before each request is sent (the progress line). */
  readonly onRequest?: (info: { index: number; max: number; method: string; url: string }) => void;
}

export interface ProbeRequest {
  readonly method: ProbeMethod;
  readonly url: URL | string;
  readonly headers?: Readonly<Record<string, string>> | readonly (readonly [string, string])[];
  readonly body?: string | Uint8Array;
  /** Follow redirects to allowed hosts (GET/HEAD only, at most 5 hops). Off for probes. */
  readonly followRedirects?: boolean;
  /** Header names (lower case) of `extraHeaders` not to send on this request. */
  readonly omitHeaders?: readonly string[];
}

/** What was sent, for evidence. */
export interface SentRequest {
  readonly method: ProbeMethod;
  readonly url: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: string;
}

export interface ProbeResponse {
  readonly request: SentRequest;
  readonly status: number;
  readonly statusText: string;
  /** Raw header pairs in received order, names in lower case; repeats kept. */
  readonly headerPairs: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** The body was longer than `maxBodyBytes` and was cut there. */
  readonly truncated: boolean;
  /** The URL that answered (after followed redirects). */
  readonly url: string;
  /** One header: repeats joined with ", " (as RFC 9110 allows), undefined when absent. */
  header(name: string): string | undefined;
  /** Every occurrence of a header. */
  headerAll(name: string): string[];
  text(): string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * The only way the audit talks to the network: one request at a time, a total cap, a per-request timeout,
 * a body cap, only allowed hosts, and no redirect to another host. Every network failure becomes a
 * `ProbeError` with a message a user can act on.
 *
 * @example
 * const client = createClient({ timeoutMs: 10_000, maxRequests: 300, maxBodyBytes: 1 << 20,
 *   allowedHosts: new Set(['api.example.com']), userAgent: 'bulwark-audit' });
 * const res = await client.send({ method: 'GET', url: 'https://api.example.com/health' });
 */
export interface Client {
  send(request: ProbeRequest): Promise<ProbeResponse>;
  /** Requests sent so far. */
  readonly count: number;
  /** Requests still allowed by the cap. */
  readonly remaining: number;
  /** Responses cut at the body cap (their URLs), for the report's warnings. */
  readonly truncated: readonly string[];
  isAllowed(url: URL): boolean;
}

export function createClient(options: ClientOptions): Client {
  let count = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const truncated: string[] = [];
  const ca = options.ca === undefined ? undefined : [...rootCertificates, options.ca];
  const isAllowed = (url: URL): boolean =>
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    options.allowedHosts.has(url.hostname.toLowerCase());

  async function once(req: ProbeRequest, url: URL): Promise<ProbeResponse> {
    if (!isAllowed(url)) {
      throw new ProbeError(
        'AUDIT_HOST_NOT_ALLOWED',
        `${url.origin} is not a host you named; add --allow-host ${url.hostname} to include it`,
      );
    }
    if (count >= options.maxRequests) {
      throw new ProbeError(
        'AUDIT_REQUEST_CAP',
        `the request cap (${options.maxRequests}, --max-requests) is reached; the remaining probes were not sent`,
      );
    }
    count++;
    if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
    options.onRequest?.({ index: count, max: options.maxRequests, method: req.method, url: url.href });
    // Raw header arrays (kept so a probe can repeat a header) get no automatic Host from node.
    const headers: [string, string][] = [['host', url.host], ...mergeHeaders(req, options)];
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    if (body !== undefined) headers.push(['content-length', String(body.length)]);
    const sent: SentRequest = {
      method: req.method,
      url: url.href,
      headers,
      ...(body === undefined ? {} : { body: body.toString('utf8') }),
    };
    return new Promise<ProbeResponse>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const r = send(url, {
        method: req.method,
        headers: headers.flat(),
        agent: false,
        ...(ca === undefined ? {} : { ca }),
      });
      const timer = setTimeout(() => {
        r.destroy(
          new ProbeError(
            'AUDIT_TIMEOUT',
            `${req.method} ${url.href}: no complete response within ${options.timeoutMs} ms (--timeout-ms)`,
          ),
        );
      }, options.timeoutMs);
      const fail = (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof ProbeError ? err : describeNetworkError(err, req.method, url));
      };
      r.on('error', fail);
      r.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let cut = false;
        const done = () => {
          clearTimeout(timer);
          if (cut) truncated.push(`${req.method} ${url.href}`);
          resolve(toResponse(sent, res, Buffer.concat(chunks), cut, url.href));
        };
        res.on('data', (chunk: Buffer) => {
          if (cut) return;
          const room = options.maxBodyBytes - size;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            size += room;
            cut = true;
            // Stop reading: a huge or endless body must not cost more than the cap.
            res.removeAllListeners('end');
            res.on('error', () => {});
            r.removeListener('error', fail);
            r.on('error', () => {});
            r.destroy();
            done();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', done);
        res.on('error', fail);
      });
      r.end(body);
    });
  }

  async function run(req: ProbeRequest): Promise<ProbeResponse> {
    let url = new URL(req.url);
    let current = req;
    for (let hop = 0; ; hop++) {
      const res = await once(current, url);
      const location = res.header('location');
      const follow =
        req.followRedirects === true &&
        REDIRECTS.has(res.status) &&
        location !== undefined &&
        (current.method === 'GET' || current.method === 'HEAD');
      if (!follow) return res;
      const next = new URL(location, url);
      if (!isAllowed(next)) {
        throw new ProbeError(
          'AUDIT_REDIRECT_OFF_HOST',
          `${current.method} ${url.href} redirects (${res.status}) to ${next.href}, another host; not followed. ` +
            `Audit that URL directly, or add --allow-host ${next.hostname}`,
        );
      }
      if (hop + 1 > MAX_REDIRECTS) {
        throw new ProbeError('AUDIT_TOO_MANY_REDIRECTS', `${req.url}: more than ${MAX_REDIRECTS} redirects`);
      }
      url = next;
      current = { ...current, url: next };
    }
  }

  return {
    send(req) {
      // One request at a time even if a check forgets to await: requests queue behind each other.
      const result = queue.then(() => run(req));
      queue = result.catch(() => {});
      return result;
    },
    get count() {
      return count;
    },
    get remaining() {
      return Math.max(0, options.maxRequests - count);
    },
    truncated,
    isAllowed,
  };
}

function mergeHeaders(req: ProbeRequest, options: ClientOptions): [string, string][] {
  const own: [string, string][] = Array.isArray(req.headers)
    ? req.headers.map(([n, v]) => [n.toLowerCase(), v])
    : Object.entries(req.headers ?? {}).map(([n, v]) => [n.toLowerCase(), v]);
  const set = new Set(own.map(([n]) => n));
  const omit = new Set(req.omitHeaders ?? []);
  const out: [string, string][] = [];
  if (!set.has('user-agent')) out.push(['user-agent', options.userAgent]);
  if (!set.has('accept')) out.push(['accept', 'application/json, text/html;q=0.9, */*;q=0.8']);
  for (const [n, v] of options.extraHeaders ?? []) {
    const name = n.toLowerCase();
    if (!set.has(name) && !omit.has(name)) out.push([name, v]);
  }
  out.push(...own);
  out.push(['connection', 'close']);
  return out;
}

function toResponse(
  request: SentRequest,
  res: IncomingMessage,
  body: Buffer,
  truncated: boolean,
  url: string,
): ProbeResponse {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    pairs.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!]);
  }
  const headerAll = (name: string) => {
    const n = name.toLowerCase();
    return pairs.filter(([k]) => k === n).map(([, v]) => v);
  };
  return {
    request,
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    headerPairs: pairs,
    body,
    truncated,
    url,
    header(name) {
      const all = headerAll(name);
      return all.length === 0 ? undefined : all.join(', ');
    },
    headerAll,
    text: () => body.toString('utf8'),
  };
}
