import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { renderProblem, type SecurityError } from '@bulwark/core';

/**
 * Thrown by bulwark guards to end a request with a denial. It is an `HttpException`, so an app without
 * {@link BulwarkExceptionFilter} still answers with the right status; the filter (installed by
 * `BulwarkModule`) writes the full problem+json response with its headers.
 *
 * @example
 * if (!verdict.ok) throw BulwarkDenied.from(verdict.error);
 */
export class BulwarkDenied extends HttpException {
  constructor(readonly error: SecurityError) {
    super({ code: error.code, message: error.message }, error.status);
  }

  /**
   * The exception for a denial, built without capturing a stack trace: under attack denials are the
   * common case, the stack would only point into our guard, and capturing it is most of the cost.
   *
   * @example
   * if (!verdict.ok) throw BulwarkDenied.from(verdict.error);
   */
  static from(error: SecurityError): BulwarkDenied {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new BulwarkDenied(error);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/**
 * Writes {@link BulwarkDenied} as RFC 9457 problem+json on both the express and fastify platforms.
 *
 * @example
 * app.useGlobalFilters(new BulwarkExceptionFilter(app.get(HttpAdapterHost)));
 */
@Catch(BulwarkDenied)
export class BulwarkExceptionFilter implements ExceptionFilter<BulwarkDenied> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: BulwarkDenied, host: ArgumentsHost): void {
    const adapter = this.adapterHost.httpAdapter;
    const response = host.switchToHttp().getResponse();
    const problem = renderProblem(exception.error);
    for (const name in problem.headers) adapter.setHeader(response, name, problem.headers[name]!);
    adapter.reply(response, problem.body, problem.status);
  }
}
