import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import type { Answered, Denied, HeaderList, HeaderPair, Reply, SecurityError } from '@bulwark/core';
import { setHeaders, writeReply } from '@bulwark/core/node';

/**
 * Thrown by bulwark guards to end a request with bulwark's answer: a denial (401, 403, 429…) or an answer
 * of the rule's own (a webhook delivery already processed is acknowledged with 200). It is an
 * `HttpException`, so an app without {@link BulwarkExceptionFilter} still answers with the right status; the
 * filter (installed by `BulwarkModule`) writes the reply as it is, headers and body.
 *
 * @example
 * if (!verdict.ok) throw BulwarkAnswer.from(verdict);
 */
export class BulwarkAnswer extends HttpException {
  /** The denial, when the answer is one (undefined for an answer such as a duplicate webhook's 200). */
  readonly error: SecurityError | undefined;
  /** What the client is answered. */
  readonly reply: Reply;

  constructor(verdict: Denied | Answered) {
    super(
      verdict.error === undefined ? { status: verdict.reply.status } : verdict.error.toJSON(),
      verdict.reply.status,
    );
    this.error = verdict.error;
    this.reply = verdict.reply;
  }

  /**
   * The exception for a verdict, built without capturing a stack trace: under attack denials are the
   * common case, the stack would only point into our guard, and capturing it is most of the cost.
   *
   * @example
   * if (!verdict.ok) throw BulwarkAnswer.from(verdict);
   */
  static from(verdict: Denied | Answered): BulwarkAnswer {
    // withoutStackTrace's steps, without a closure per denial.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new BulwarkAnswer(verdict);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/**
 * Writes a {@link BulwarkAnswer}'s reply (RFC 9457 problem+json for denials) on both the express and
 * fastify platforms, through Nest's adapter.
 *
 * @example
 * app.useGlobalFilters(new BulwarkExceptionFilter(app.get(HttpAdapterHost)));
 */
@Catch(BulwarkAnswer)
export class BulwarkExceptionFilter implements ExceptionFilter<BulwarkAnswer> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: BulwarkAnswer, host: ArgumentsHost): void {
    writeAnswer(this.adapterHost.httpAdapter, host.switchToHttp().getResponse(), exception.reply);
  }
}

/**
 * Write a reply through Nest's HTTP adapter, on either platform: `vary` merged, `set-cookie` appended,
 * every other header set, then the status and body. On the express platform a refusal (status 400 and up)
 * is written straight to the node response with the head express's `res.send` gives it (Content-Type with
 * `charset=utf-8`, Content-Length; no body for HEAD) but no ETag: an error body is never revalidated, and
 * hashing it per refusal was most of the write's cost. On fastify every reply goes through fastify's reply,
 * so the app's onSend and onResponse hooks see it.
 *
 * @example
 * writeAnswer(adapterHost.httpAdapter, response, (await login.start(req)).reply);
 */
export function writeAnswer(adapter: HttpAdapterHost['httpAdapter'], response: unknown, reply: Reply): void {
  const raw = (response as { raw?: ServerResponse }).raw ?? (response as ServerResponse);
  if (raw === response && reply.status >= 400 && writeRefusal(adapter, raw, reply)) return;
  for (const pair of reply.headers) {
    // Repeatable and merged fields go on the node response (both platforms merge it into what they write;
    // Nest 11's adapter cannot append). Every other field through the adapter, so the platform's own
    // defaults (a content type for a string body) never override ours.
    if (pair[0] === 'set-cookie' || pair[0] === 'vary') setHeaders(raw, [pair]);
    else adapter.setHeader(response, pair[0], pair[1]);
  }
  adapter.reply(response, reply.body ?? '', reply.status);
}

/**
 * A refusal on the express platform, written by core's `writeReply` (constant headers straight into node's
 * table, `vary` merged, `set-cookie` appended; node sends no body for HEAD) with the head express's `res.send`
 * would add: false (nothing written) where that head is not known here, and the adapter writes it.
 */
function writeRefusal(adapter: HttpAdapterHost['httpAdapter'], res: ServerResponse, reply: Reply): boolean {
  // headersSent: the adapter's path throws as it always did. Transfer-Encoding: res.send leaves out
  // Content-Length then.
  if (res.headersSent || res.hasHeader('transfer-encoding') || adapter.getType() !== 'express') return false;
  const sent = sentReplyOf(reply);
  if (sent === undefined) return false;
  writeReply(res, sent);
  return true;
}

/** A frozen reply as express's res.send sends it (see {@link expressHead}), by identity. */
const SENT = new WeakMap<Reply, Reply | null>();

function sentReplyOf(reply: Reply): Reply | undefined {
  if (!Object.isFrozen(reply)) return asSent(reply);
  let sent = SENT.get(reply);
  if (sent === undefined) {
    sent = asSent(reply) ?? null;
    SENT.set(reply, sent);
  }
  return sent ?? undefined;
}

function asSent(reply: Reply): Reply | undefined {
  const body = reply.body;
  if (typeof body !== 'string') return undefined;
  const headers = expressHead(reply.headers, body);
  if (headers === undefined) return undefined;
  const sent = { status: reply.status, headers, body };
  return Object.isFrozen(reply) ? Object.freeze(sent) : sent;
}

/**
 * A reply's headers as express's `res.send(body)` sends them after the adapter's `res.set` of each: the
 * content type with `charset=utf-8` (`res.set` looks it up by MIME type, `res.send` then sets the charset),
 * named `Content-Type` as `res.send` names it, and `Content-Length` last. Undefined where the result is not
 * that plain: no content type, or one with parameters other than `charset=utf-8` (the adapter writes those).
 * Frozen when the list is (core's header writer then checks it once).
 */
function expressHead(list: HeaderList, body: string): HeaderList | undefined {
  const headers: HeaderPair[] = [];
  let typed = false;
  for (const pair of list) {
    if (pair[0] !== 'content-type') {
      headers.push(pair);
      continue;
    }
    const type = withUtf8(pair[1]);
    if (type === undefined || typed) return undefined;
    typed = true;
    headers.push(Object.freeze(['Content-Type', type] as const));
  }
  if (!typed) return undefined;
  headers.push(Object.freeze(['Content-Length', String(Buffer.byteLength(body))] as const));
  return Object.isFrozen(list) ? Object.freeze(headers) : headers;
}

/** `type/subtype` → `type/subtype; charset=utf-8` (lowercase, as express's setCharset formats it). */
function withUtf8(type: string): string | undefined {
  const semicolon = type.indexOf(';');
  const media = (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(media)) return undefined;
  if (
    semicolon !== -1 &&
    type
      .slice(semicolon + 1)
      .trim()
      .toLowerCase() !== 'charset=utf-8'
  )
    return undefined;
  return `${media}; charset=utf-8`;
}
