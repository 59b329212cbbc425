import { concatBytes } from '../bytes/index.js';
import { isSecurityError, type SecurityError } from '../errors.js';
import { fail, ok, type Result } from '../verdict.js';

/**
 * Read a request body as bytes, refusing more than `maxBytes`: a fetch `Request` (by `content-length` before
 * reading, then by counting while streaming) or any async iterable of chunks (a node `IncomingMessage`, which
 * the node adapters pass), counted the same way. A chunked body has no length, so an oversize body is never
 * buffered whole: reading stops at the first chunk past the cap (for a node stream that destroys it). Fails
 * with `'too_large'`, or with the `SecurityError` a runtime threw out of the stream on purpose (the fetch
 * adapter's node bridge refuses an oversize body that way). Every adapter that reads a webhook body itself
 * reads it here.
 *
 * @example
 * const body = await readBodyCapped(request, verifier.maxBodyBytes);
 * if (!body.ok && body.error === 'too_large') return toResponse(verifier.refuseBody(req, 'too_large').reply);
 */
export async function readBodyCapped(
  source: Request | AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<Result<Uint8Array, 'too_large' | SecurityError>> {
  if (!isFetchRequest(source)) return collect(source, maxBytes);
  const declared = source.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return fail('too_large');
  if (source.body === null) return ok(new Uint8Array(0));
  return collectStream(source.body.getReader(), maxBytes);
}

function isFetchRequest(source: Request | AsyncIterable<Uint8Array>): source is Request {
  return typeof (source as Request).headers?.get === 'function' && 'body' in source;
}

/**
 * {@link collect} for a stream reader, read directly: an async generator around the reader cost a generator
 * object and two more promises per chunk (~2 µs of a small webhook body). The stream is cancelled when reading
 * stops early, past the cap or on an error, as the generator's `finally` did.
 */
async function collectStream(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
): Promise<Result<Uint8Array, 'too_large' | SecurityError>> {
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return fail('too_large');
      }
      parts.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (isSecurityError(error)) return fail(error);
    throw error;
  }
  return ok(parts.length === 1 ? parts[0]! : concatBytes(...parts));
}

async function collect(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<Result<Uint8Array, 'too_large' | SecurityError>> {
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      if (size > maxBytes) return fail('too_large');
      parts.push(chunk);
    }
  } catch (error) {
    if (isSecurityError(error)) return fail(error);
    throw error;
  }
  return ok(parts.length === 1 ? parts[0]! : concatBytes(...parts));
}
