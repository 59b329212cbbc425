import { parseJsonObject } from './json.js';

/** A `fetch`-compatible function (the global fetch is undici on Node). */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * How bulwark talks to an identity provider (JWKS, discovery, token endpoint): bounded in time and size,
 * never following redirects, JSON only.
 */
export interface KeyFetchOptions {
  /** Abort the request (headers and body) after this many ms. Default 5000. */
  timeoutMs?: number;
  /** Refuse responses larger than this many bytes. Default 65536 (a JWKS is a few KiB). */
  maxBytes?: number;
  /** The fetch implementation, e.g. undici's `fetch` with a custom dispatcher. Default `globalThis.fetch`. */
  fetch?: FetchLike;
}

/** One request to a provider. */
export interface JsonRequest {
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A provider's answer: its status and a JSON object body. */
export interface JsonAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Thrown (internally, never to users) when a provider answer cannot be used; the message is operator detail.
 *
 * @example
 * throw new KeyFetchError('HTTP 500');
 */
export class KeyFetchError extends Error {
  override readonly name = 'KeyFetchError';
}

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const body = res.body;
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new KeyFetchError(`response is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * True for `application/json` and `application/<anything>+json` (`jwk-set+json`, RFC 7517 §8.5), parameters
 * ignored. Anything else, a missing type included, is refused: a page served as `text/html` that happens
 * to parse as JSON (an error page, a user-content page reflecting input) must not become keys or metadata.
 *
 * @example
 * isJsonMediaType('application/jwk-set+json; charset=utf-8') // true
 * isJsonMediaType('text/html') // false
 */
export function isJsonMediaType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type === 'application/json') return true;
  return type.startsWith('application/') && type.endsWith('+json') && !type.slice(12, -5).includes('/');
}

/**
 * Call a provider with a timeout, a size cap, redirects refused (a redirect could point the request
 * anywhere), a JSON content type required, strict UTF-8, and a JSON object with no repeated member name
 * (`JSON.parse` would keep the last of two `"sub"`s). Any status is returned with its body (a token
 * endpoint's 400 carries `error`); anything unusable rejects with {@link KeyFetchError}.
 *
 * @example
 * const { status, body } = await requestJson(new URL(tokenEndpoint), { method: 'POST', body: form }, {});
 */
export async function requestJson(
  url: URL,
  request: JsonRequest,
  options: KeyFetchOptions,
): Promise<JsonAnswer> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 65_536;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  // One controller and one timer, cleared when done: AbortSignal.timeout() builds a transferable signal,
  // a weak reference and a DOMException per call, a third of a token exchange's JavaScript time on node.
  const controller = new AbortController();
  const signal = controller.signal;
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  // Like AbortSignal.timeout's timer, it does not keep a process alive on its own (node; a number elsewhere).
  (timer as { unref?: () => void }).unref?.();
  try {
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method: request.method,
        redirect: 'manual',
        signal,
        headers: { accept: 'application/json, application/jwk-set+json', ...request.headers },
        ...(request.body !== undefined ? { body: request.body } : {}),
      });
    } catch (err) {
      throw new KeyFetchError(
        signal.aborted
          ? `no response within ${timeoutMs} ms`
          : `request failed: ${(err as Error)?.message ?? err}`,
      );
    }
    try {
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
        throw new KeyFetchError(`redirect (HTTP ${res.status}) refused`);
      }
      const type = res.headers.get('content-type');
      if (!isJsonMediaType(type)) {
        throw new KeyFetchError(
          `HTTP ${res.status} answered ${JSON.stringify((type ?? 'no content type').slice(0, 60))}, not JSON`,
        );
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > maxBytes)
        throw new KeyFetchError(`content-length ${declared} exceeds ${maxBytes} bytes`);
      let text: string;
      try {
        text = utf8.decode(await readCapped(res, maxBytes));
      } catch (err) {
        if (err instanceof KeyFetchError) throw err;
        throw new KeyFetchError(
          signal.aborted ? `body not received within ${timeoutMs} ms` : 'body is not UTF-8 or was cut off',
        );
      }
      const json = parseJsonObject(text);
      if (json === undefined) {
        throw new KeyFetchError(`HTTP ${res.status} body is not a JSON object (or repeats a member name)`);
      }
      return { status: res.status, body: json };
    } finally {
      // Release the connection if the body was not consumed.
      if (res.bodyUsed === false) await res.body?.cancel().catch(() => {});
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET a JSON object that must be answered with 200 (JWKS, discovery), under the rules of {@link requestJson}.
 *
 * @example
 * const doc = await fetchJsonObject(new URL('https://id.example.com/jwks'), {});
 */
export async function fetchJsonObject(url: URL, options: KeyFetchOptions): Promise<Record<string, unknown>> {
  const { status, body } = await requestJson(url, { method: 'GET' }, options);
  if (status !== 200) throw new KeyFetchError(`HTTP ${status}`);
  return body;
}

/**
 * True for https URLs, and http to a loopback host (local development and tests).
 *
 * @example
 * isSafeKeyUrl(new URL('http://127.0.0.1:8080/jwks')) // true
 */
export function isSafeKeyUrl(url: URL, allowHttp = false): boolean {
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'https:' || (url.protocol === 'http:' && (loopback || allowHttp));
}

/**
 * Whether fetch options carry the verifier's `dangerouslyAllowHttpIssuer` (set internally on the JWKS
 * settings the verifier hands its key sources; never a user option of `jwks`).
 */
export function allowsHttp(options: object): boolean {
  return (options as { readonly allowHttp?: unknown }).allowHttp === true;
}
