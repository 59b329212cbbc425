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
  if (!isFetchRequest(source)) {
    // A node stream: what `for await` does, by hand — its return() (which destroys the stream) when reading
    // stops early past the cap, nothing after the stream itself failed.
    const chunks = source[Symbol.asyncIterator]();
    return collect(
      () => chunks.next(),
      (failed) => (failed ? undefined : chunks.return?.()),
      maxBytes,
    );
  }
  const declared = source.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return fail('too_large');
  if (source.body === null) return ok(new Uint8Array(0));
  // The stream's reader read directly: an async generator around it cost a generator object and two more
  // promises per chunk (~2 µs of a small webhook body). Cancelled when reading stops early or fails.
  const reader = source.body.getReader();
  return collect(
    () => reader.read(),
    () => reader.cancel().catch(() => {}),
    maxBytes,
  );
}

function isFetchRequest(source: Request | AsyncIterable<Uint8Array>): source is Request {
  return typeof (source as Request).headers?.get === 'function' && 'body' in source;
}

/**
 * Count and keep the chunks `next` yields until it is done; past `maxBytes` (or when `next` throws) `stop` is
 * awaited first, with whether reading failed.
 */
async function collect(
  next: () => Promise<IteratorResult<Uint8Array, unknown>> | Promise<ReadableStreamReadResult<Uint8Array>>,
  stop: (failed: boolean) => Promise<unknown> | undefined,
  maxBytes: number,
): Promise<Result<Uint8Array, 'too_large' | SecurityError>> {
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const chunk = await next();
      if (chunk.done === true) break;
      const value = chunk.value as Uint8Array;
      size += value.byteLength;
      if (size > maxBytes) {
        await stop(false);
        return fail('too_large');
      }
      parts.push(value);
    }
  } catch (error) {
    await stop(true);
    if (isSecurityError(error)) return fail(error);
    throw error;
  }
  return ok(parts.length === 1 ? parts[0]! : concatBytes(...parts));
}
