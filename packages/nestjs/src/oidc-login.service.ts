import { ConfigError, type FinishedLogin } from '@bulwark/core';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { writeAnswer } from './answer.filter.js';
import { type PlatformRequest, pass, toRequestLike } from './http.js';
import type { BulwarkOauthOptions } from './options.js';
import { BULWARK_OPTIONS } from './tokens.js';

/**
 * OIDC login / callback / logout for controllers on both Nest platforms. All protocol checks run in
 * `@bulwark/core`; this only moves cookies and redirects. Use `@Res()` for `login`/`logout` (they answer
 * with a redirect) and `@Res({ passthrough: true })` for `callback`.
 *
 * @example
 * @Controller('auth')
 * class AuthController {
 *   constructor(@Inject(OidcLoginService) private readonly oidc: OidcLoginService) {}
 *   @Get('login') login(@Req() req: PlatformRequest, @Res() res: unknown) { return this.oidc.login(req, res); }
 *   @Get('callback') async callback(@Req() req: PlatformRequest, @Res({ passthrough: true }) res: unknown) {
 *     const { claims } = await this.oidc.callback(req, res);
 *     return { sub: claims.sub };
 *   }
 *   @Post('logout') logout(@Res() res: unknown) { return this.oidc.logout(res); }
 * }
 */
@Injectable()
export class OidcLoginService {
  private readonly oauth: BulwarkOauthOptions | undefined;

  constructor(
    @Inject(BULWARK_OPTIONS) options: { oauth?: BulwarkOauthOptions },
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
  ) {
    this.oauth = options.oauth;
  }

  private get options(): BulwarkOauthOptions {
    if (this.oauth === undefined) {
      throw new ConfigError(
        'BulwarkModule.oauth',
        'OidcLoginService is used but no oauth option was given',
        'pass oauth: { login } to BulwarkModule.forRoot()',
      );
    }
    return this.oauth;
  }

  /** Redirect to the provider; the login transaction goes in a signed cookie. */
  async login(request: PlatformRequest, response: unknown): Promise<void> {
    const answer = await this.options.login.start(toRequestLike(request));
    writeAnswer(this.adapterHost.httpAdapter, response, answer.reply);
  }

  /**
   * Verify the callback: the verified login (the transaction cookie is cleared on the response), or a
   * 400 problem+json through the bulwark exception filter.
   */
  async callback(request: PlatformRequest, response: unknown): Promise<FinishedLogin> {
    const verdict = await this.options.login.finish(toRequestLike(request));
    return pass(request, response, verdict).value;
  }

  /** Redirect to the provider's logout (call it from a POST route, after ending the app session). */
  async logout(response: unknown, options: { idTokenHint?: string } = {}): Promise<void> {
    const { login, postLogoutRedirectUri } = this.options;
    const answer = await login.logout({ idTokenHint: options.idTokenHint, postLogoutRedirectUri });
    writeAnswer(this.adapterHost.httpAdapter, response, answer.reply);
  }
}
