import { isSecurityError, type SecurityError } from '../errors.js';
import { fail, ok, type Result } from '../verdict.js';

/**
 * Read a fetch `Request`'s body as bytes, refusing more than `maxBytes`: by `content-length` before
 * reading, and by counting while streaming (a chunked body has no length), so an oversize body is never
 * buffered whole. Fails with `'too_large'`, or with the `SecurityError` a runtime threw out of the stream
 * on purpose (the fetch adapter's node bridge refuses an oversize body that way). The fetch and Hono
 * adapters read webhook bodies with it.
 *
 * @example
 * const body = await readBodyCapped(request, verifier.maxBodyBytes);
 * if (!body.ok && body.error === 'too_large') return toResponse(verifier.refuseBody(req, 'too_large').reply);
 */
export async function readBodyCapped(
  request: Request,
  maxBytes: number,
): Promise<Result<Uint8Array, 'too_large' | SecurityError>> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return fail('too_large');
  if (request.body === null) return ok(new Uint8Array(0));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (isSecurityError(error)) return fail(error);
      throw error;
    }
    const { done, value } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return fail('too_large');
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return ok(chunks[0]!);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return ok(out);
}
