import type { SecurityError } from '../errors.js';
import type { RequestLike } from '../http/request.js';
import { HMAC_LENGTH } from './crypto.js';
import { WEBHOOK_ERRORS } from './errors.js';
import { EVENT_ID, EVENT_ID_RULE } from './event-id.js';
import type { ResolvedWebhookOptions } from './options.js';
import {
  type ParsedSignatures,
  type PresentedSignature,
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

/** A denial found while reading headers, with its operator detail. */
export interface ExtractFailure {
  readonly error: SecurityError;
  readonly detail: string;
}

function fail(error: SecurityError, detail: string): ExtractFailure {
  return { error, detail };
}

/** One header value; repeated or missing headers are failures (a repeated signature header is an attack shape). */
function single(req: RequestLike, name: string): string | ExtractFailure {
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
  return value;
}

function signaturesOrFail(
  parsed: ParsedSignatures,
  header: string,
): ExtractFailure | (ParsedSignatures & { ok: true }) {
  if (parsed.ok) return parsed;
  const error =
    parsed.reason === 'too_many' ? WEBHOOK_ERRORS.tooManySignatures : WEBHOOK_ERRORS.signatureMalformed;
  return fail(error, `${header}: ${parsed.detail}`);
}

function timestampOf(value: string, header: string): number | ExtractFailure {
  const t = parseTimestamp(value);
  return t === undefined ? fail(WEBHOOK_ERRORS.timestampInvalid, `${header} is not ^\\d{1,10}$ seconds`) : t;
}

function idOf(value: string, header: string): string | ExtractFailure {
  return EVENT_ID.test(value) ? value : fail(WEBHOOK_ERRORS.idInvalid, `${header} is not ${EVENT_ID_RULE}`);
}

const isFailure = (v: unknown): v is ExtractFailure => typeof v === 'object' && v !== null && 'error' in v;

/**
 * Read and parse the scheme's headers. Everything here is string work: no HMAC is computed for a request
 * that fails at this stage.
 */
export function extractSignedParts(
  req: RequestLike,
  o: ResolvedWebhookOptions,
): SignedParts | ExtractFailure {
  switch (o.name) {
    case 'standard': {
      const id = single(req, 'webhook-id');
      if (isFailure(id)) return id;
      const ts = single(req, 'webhook-timestamp');
      if (isFailure(ts)) return ts;
      const sig = single(req, 'webhook-signature');
      if (isFailure(sig)) return sig;
      const checkedId = idOf(id, 'webhook-id');
      if (isFailure(checkedId)) return checkedId;
      const timestamp = timestampOf(ts, 'webhook-timestamp');
      if (isFailure(timestamp)) return timestamp;
      const parsed = signaturesOrFail(parseStandardSignatures(sig, o.maxSignatures), 'webhook-signature');
      if (isFailure(parsed)) return parsed;
      return {
        id: checkedId,
        timestamp,
        signatures: parsed.signatures,
        contentPrefix: `${checkedId}.${ts}.`,
      };
    }
    case 'stripe': {
      const sig = single(req, 'stripe-signature');
      if (isFailure(sig)) return sig;
      const parsed = signaturesOrFail(parseStripeSignature(sig, o.maxSignatures), 'stripe-signature');
      if (isFailure(parsed)) return parsed;
      const timestamp = timestampOf(parsed.timestamp!, 'stripe-signature t=');
      if (isFailure(timestamp)) return timestamp;
      return {
        id: undefined,
        timestamp,
        signatures: parsed.signatures,
        contentPrefix: `${parsed.timestamp}.`,
      };
    }
    case 'github': {
      const sig = single(req, 'x-hub-signature-256');
      if (isFailure(sig)) return sig;
      const delivery = single(req, 'x-github-delivery');
      if (isFailure(delivery)) return delivery;
      const id = idOf(delivery, 'x-github-delivery');
      if (isFailure(id)) return id;
      const parsed = signaturesOrFail(parseSingleSignature(sig, 'sha256=', 'hex', 32), 'x-hub-signature-256');
      if (isFailure(parsed)) return parsed;
      return { id, timestamp: undefined, signatures: parsed.signatures, contentPrefix: '' };
    }
    default: {
      const s = o.hmac!;
      const sig = single(req, s.signatureHeader);
      if (isFailure(sig)) return sig;
      const rawId = single(req, s.idHeader);
      if (isFailure(rawId)) return rawId;
      const id = idOf(rawId, s.idHeader);
      if (isFailure(id)) return id;
      let ts: string | undefined;
      let timestamp: number | undefined;
      if (s.timestampHeader !== undefined) {
        const raw = single(req, s.timestampHeader);
        if (isFailure(raw)) return raw;
        const t = timestampOf(raw, s.timestampHeader);
        if (isFailure(t)) return t;
        ts = raw;
        timestamp = t;
      }
      const parsed = signaturesOrFail(
        parseSingleSignature(sig, s.prefix ?? '', s.encoding, HMAC_LENGTH[o.hash]),
        s.signatureHeader,
      );
      if (isFailure(parsed)) return parsed;
      const contentPrefix =
        s.signedContent === 'body' ? '' : s.signedContent === 'timestamp.body' ? `${ts}.` : `${id}.${ts}.`;
      return { id, timestamp, signatures: parsed.signatures, contentPrefix };
    }
  }
}

/** Type guard for {@link ExtractFailure}. */
export { isFailure as isExtractFailure };
