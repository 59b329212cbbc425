import { parseJsonObject } from './json.js';

/** How key material is fetched: bounded in time and size, never following redirects. */
export interface KeyFetchOptions {
  /** Abort the request (headers and body) after this many ms. Default 5000. */
  timeoutMs?: number;
  /** Refuse responses larger than this many bytes. Default 65536 (a JWKS is a few KiB). */
  maxBytes?: number;
  /** The fetch implementation, e.g. undici's `fetch` with a custom dispatcher. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/**
 * Thrown (internally, never to users) when key material cannot be fetched; the message is operator detail.
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
 * GET a JSON object over HTTP with a timeout, a size cap, redirects refused (a redirect could point the
 * key fetch anywhere) and duplicate member names refused. Rejects with {@link KeyFetchError}.
 *
 * @example
 * const doc = await fetchJsonObject(new URL('https://id.example.com/jwks'), {});
 */
export async function fetchJsonObject(url: URL, options: KeyFetchOptions): Promise<Record<string, unknown>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 65_536;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetchImpl(url, {
      redirect: 'manual',
      signal,
      headers: { accept: 'application/jwk-set+json, application/json' },
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
    if (res.status !== 200) throw new KeyFetchError(`HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > maxBytes) throw new KeyFetchError(`content-length ${declared} exceeds ${maxBytes} bytes`);
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
    if (json === undefined) throw new KeyFetchError('body is not a JSON object (or repeats a member name)');
    return json;
  } finally {
    // Release the connection if the body was not consumed.
    if (res.bodyUsed === false) await res.body?.cancel().catch(() => {});
  }
}

/**
 * True for https URLs, and http to a loopback host (local development and tests).
 *
 * @example
 * isSafeKeyUrl(new URL('http://127.0.0.1:8080/jwks')) // true
 */
export function isSafeKeyUrl(url: URL): boolean {
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
}
