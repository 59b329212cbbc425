import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import type { Answered, Denied, Reply, SecurityError } from '@bulwark/core';
import { setHeaders } from '@bulwark/core/node';

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
 * every other header set, then the status and body.
 *
 * @example
 * writeAnswer(adapterHost.httpAdapter, response, (await login.start(req)).reply);
 */
export function writeAnswer(adapter: HttpAdapterHost['httpAdapter'], response: unknown, reply: Reply): void {
  const raw = (response as { raw?: ServerResponse }).raw ?? (response as ServerResponse);
  for (const pair of reply.headers) {
    // Repeatable and merged fields go on the node response (both platforms merge it into what they write;
    // Nest 11's adapter cannot append). Every other field through the adapter, so the platform's own
    // defaults (a content type for a string body) never override ours.
    if (pair[0] === 'set-cookie' || pair[0] === 'vary') setHeaders(raw, [pair]);
    else adapter.setHeader(response, pair[0], pair[1]);
  }
  adapter.reply(response, reply.body ?? '', reply.status);
}
