import type { SecurityError } from '../errors.js';
import type { RequestLike } from '../http/request.js';
import { fail as failed, ok, type Result } from '../verdict.js';
import { HMAC_LENGTH } from './signature-backend.js';
import { WEBHOOK_ERRORS } from './errors.js';
import { EVENT_ID, EVENT_ID_RULE } from './event-id.js';
import type { ResolvedWebhookOptions } from './options.js';
import {
  type ParsedSignatures,
  type PresentedSignature,
  type SignatureHeader,
  parseSingleSignature,
  parseStandardSignatures,
  parseStripeSignature,
  parseTimestamp,
} from './parse.js';

/** What the headers say, before any cryptography. */
export interface SignedParts {
  /** Event id from a header; Stripe's comes from the verified body instead. */
  readonly id: string | undefined;
  readonly timestamp: number | undefined;
  readonly signatures: readonly PresentedSignature[];
  /** ASCII text signed in front of the body (`id.timestamp.`, `timestamp.` or nothing). */
  readonly contentPrefix: string;
}

type Failure = { readonly ok: false; readonly error: SecurityError };

function fail(error: SecurityError, detail: string): Failure {
  return failed(error.withDetail(detail));
}

/** One header value; repeated or missing headers are failures (a repeated signature header is an attack shape). */
function single(req: RequestLike, name: string): Result<string> {
  let value: string | undefined;
  if (req.headerValues !== undefined) {
    const values = req.headerValues(name);
    if (values.length > 1)
      return fail(WEBHOOK_ERRORS.headerDuplicate, `${name} was sent ${values.length} times`);
    value = values[0];
  } else {
    value = req.header(name);
    // Without headerValues (WHATWG Headers) repeats arrive joined with ", ". No header read here can
    // contain ", " legitimately (ids and timestamps have no spaces, signatures no ", "), so it means a repeat.
    // Values past 4 KiB are refused by the length caps that follow, so they are not scanned here.
    if (value !== undefined && value.length <= 4096 && value.includes(', ')) {
      return fail(WEBHOOK_ERRORS.headerDuplicate, `${name} was sent more than once`);
    }
  }
  if (value === undefined || value === '') return fail(WEBHOOK_ERRORS.headerMissing, `${name} is missing`);
  return ok(value);
}

/** The parse failure, named by its header for operators. */
function signaturesOf(parsed: ParsedSignatures, header: string): Result<SignatureHeader> {
  return parsed.ok ? parsed : fail(parsed.error, `${header}: ${parsed.error.detail}`);
}

function timestampOf(value: string, header: string): Result<number> {
  const t = parseTimestamp(value);
  return t === undefined
    ? fail(WEBHOOK_ERRORS.timestampInvalid, `${header} is not ^\\d{1,10}$ seconds`)
    : ok(t);
}

function idOf(value: string, header: string): Result<string> {
  return EVENT_ID.test(value)
    ? ok(value)
    : fail(WEBHOOK_ERRORS.idInvalid, `${header} is not ${EVENT_ID_RULE}`);
}

/**
 * Read and parse the scheme's headers. Everything here is string work: no HMAC is computed for a request
 * that fails at this stage.
 */
export function extractSignedParts(req: RequestLike, o: ResolvedWebhookOptions): Result<SignedParts> {
  switch (o.name) {
    case 'standard': {
      const idR = single(req, 'webhook-id');
      if (!idR.ok) return idR;
      const id = idR.value;
      const tsR = single(req, 'webhook-timestamp');
      if (!tsR.ok) return tsR;
      const ts = tsR.value;
      const sigR = single(req, 'webhook-signature');
      if (!sigR.ok) return sigR;
      const sig = sigR.value;
      const checkedIdR = idOf(id, 'webhook-id');
      if (!checkedIdR.ok) return checkedIdR;
      const checkedId = checkedIdR.value;
      const timestampR = timestampOf(ts, 'webhook-timestamp');
      if (!timestampR.ok) return timestampR;
      const timestamp = timestampR.value;
      const parsedR = signaturesOf(parseStandardSignatures(sig, o.maxSignatures), 'webhook-signature');
      if (!parsedR.ok) return parsedR;
      const parsed = parsedR.value;
      return ok({
        id: checkedId,
        timestamp,
        signatures: parsed.signatures,
        contentPrefix: `${checkedId}.${ts}.`,
      });
    }
    case 'stripe': {
      const sigR = single(req, 'stripe-signature');
      if (!sigR.ok) return sigR;
      const sig = sigR.value;
      const parsedR = signaturesOf(parseStripeSignature(sig, o.maxSignatures), 'stripe-signature');
      if (!parsedR.ok) return parsedR;
      const parsed = parsedR.value;
      const timestampR = timestampOf(parsed.timestamp!, 'stripe-signature t=');
      if (!timestampR.ok) return timestampR;
      const timestamp = timestampR.value;
      return ok({
        id: undefined,
        timestamp,
        signatures: parsed.signatures,
        contentPrefix: `${parsed.timestamp}.`,
      });
    }
    case 'github': {
      const sigR = single(req, 'x-hub-signature-256');
      if (!sigR.ok) return sigR;
      const sig = sigR.value;
      const deliveryR = single(req, 'x-github-delivery');
      if (!deliveryR.ok) return deliveryR;
      const delivery = deliveryR.value;
      const idR = idOf(delivery, 'x-github-delivery');
      if (!idR.ok) return idR;
      const id = idR.value;
      const parsedR = signaturesOf(parseSingleSignature(sig, 'sha256=', 'hex', 32), 'x-hub-signature-256');
      if (!parsedR.ok) return parsedR;
      const parsed = parsedR.value;
      return ok({ id, timestamp: undefined, signatures: parsed.signatures, contentPrefix: '' });
    }
    default: {
      const s = o.hmac!;
      const sigR = single(req, s.signatureHeader);
      if (!sigR.ok) return sigR;
      const sig = sigR.value;
      const rawIdR = single(req, s.idHeader);
      if (!rawIdR.ok) return rawIdR;
      const rawId = rawIdR.value;
      const idR = idOf(rawId, s.idHeader);
      if (!idR.ok) return idR;
      const id = idR.value;
      let ts: string | undefined;
      let timestamp: number | undefined;
      if (s.timestampHeader !== undefined) {
        const raw = single(req, s.timestampHeader);
        if (!raw.ok) return raw;
        const t = timestampOf(raw.value, s.timestampHeader);
        if (!t.ok) return t;
        ts = raw.value;
        timestamp = t.value;
      }
      const parsedR = signaturesOf(
        parseSingleSignature(sig, s.prefix ?? '', s.encoding, HMAC_LENGTH[o.hash]),
        s.signatureHeader,
      );
      if (!parsedR.ok) return parsedR;
      const parsed = parsedR.value;
      const contentPrefix =
        s.signedContent === 'body' ? '' : s.signedContent === 'timestamp.body' ? `${ts}.` : `${id}.${ts}.`;
      return ok({ id, timestamp, signatures: parsed.signatures, contentPrefix });
    }
  }
}
