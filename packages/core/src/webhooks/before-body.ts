import type { RequestLike } from '../http/request.js';
import { type Denied, deny } from '../verdict.js';
import { WEBHOOK_ERRORS } from './errors.js';
import type { ResolvedWebhookOptions } from './options.js';
import type { WebhookVerifier } from './verifier.js';

/** The header every delivery of a scheme carries: what tells a delivery from any other request. */
export function signatureHeaderOf(o: ResolvedWebhookOptions): string {
  switch (o.name) {
    case 'standard':
      return 'webhook-signature';
    case 'stripe':
      return 'stripe-signature';
    case 'github':
      return 'x-hub-signature-256';
    case 'hmac':
      return o.hmac!.signatureHeader;
  }
}

const ENCODED = deny(WEBHOOK_ERRORS.contentEncodingUnsupported);
const TOO_LARGE = deny(WEBHOOK_ERRORS.bodyTooLarge);
const EMPTY = deny(WEBHOOK_ERRORS.bodyEmpty);
const UNPARSABLE = deny(WEBHOOK_ERRORS.contentTypeUnsupported);

/** Options of {@link refuseDeliveryBeforeBody}. */
export interface DeliveryBeforeBodyOptions {
  /**
   * Whether the platform can hand over a body of this media type (lowercase, parameters dropped, `''` when
   * there is no Content-Type) as its exact bytes. A delivery with a body it cannot is refused before any
   * parser runs (415 `WEBHOOK_CONTENT_TYPE_UNSUPPORTED`): fastify, for one, refuses a type it has no parser
   * for with its own answer before any route hook. Default: every media type.
   */
  parsable?: (mediaType: string) => boolean;
}

function mediaTypeOf(value: string | undefined): string {
  return value === undefined ? '' : value.split(';', 1)[0]!.trim().toLowerCase();
}

/** A coded body (gzip, br…): refused, since senders sign the bytes they send, never a decoded form. */
export function hasContentCoding(req: RequestLike): boolean {
  const encoding = req.header('content-encoding');
  return encoding !== undefined && encoding !== '' && encoding.trim().toLowerCase() !== 'identity';
}

/** A plain decimal Content-Length, else undefined (node refuses malformed ones before we see them). */
function declaredLength(value: string | undefined): number | undefined {
  if (value === undefined || value.length === 0 || value.length > 15) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(value);
}

/**
 * What a request carrying the signature header of one of `verifiers` (a webhook delivery, whichever route it
 * is for) is refused for from its headers alone, before any body is read: a content coding (415
 * `WEBHOOK_CONTENT_ENCODING_UNSUPPORTED`), a declared length over the largest `maxBodyBytes` of those
 * verifiers (413 `WEBHOOK_BODY_TOO_LARGE`) or of zero (400 `WEBHOOK_BODY_EMPTY`), a body of a media type the
 * platform cannot hand over as bytes (`options.parsable`: 415 `WEBHOOK_CONTENT_TYPE_UNSUPPORTED`). For adapters whose
 * platform parses (and decodes) bodies before the route's rule runs; `undefined` when there is nothing to
 * refuse yet. `verify` makes the same checks on the body it gets.
 *
 * @example
 * const refusal = refuseDeliveryBeforeBody(fromNodeRequest(req), [billing, github]);
 * if (refusal !== undefined) return writeReply(res, refusal.reply);
 */
export function refuseDeliveryBeforeBody(
  req: RequestLike,
  verifiers: Iterable<Pick<WebhookVerifier, 'signatureHeader' | 'maxBodyBytes'>>,
  options: DeliveryBeforeBodyOptions = {},
): Denied | undefined {
  let limit = -1;
  for (const v of verifiers) {
    if (req.header(v.signatureHeader) !== undefined) limit = Math.max(limit, v.maxBodyBytes);
  }
  if (limit < 0) return undefined;
  if (hasContentCoding(req)) return ENCODED;
  const declared = declaredLength(req.header('content-length'));
  if (declared !== undefined && declared > limit) return TOO_LARGE;
  if (declared === 0) return EMPTY;
  const parsable = options.parsable;
  const hasBody = declared !== undefined || req.header('transfer-encoding') !== undefined;
  if (parsable !== undefined && hasBody && !parsable(mediaTypeOf(req.header('content-type'))))
    return UNPARSABLE;
  return undefined;
}
