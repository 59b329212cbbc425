import { createRedirectUriMatcher, startAll } from '../../oauth-bff/src/start.mjs';
import { createBrowser } from '../../oauth-bff/test/browser.mjs';
import { row } from '../lib.mjs';

/** What a browser got back, in the shape `row()` reads. */
function seen(res) {
  let code;
  try {
    code = JSON.parse(res.text).code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, text: res.text ?? '' };
}

/** A matcher verdict shown as the 400 problem an authorization server would answer. */
function matched(verdict) {
  if (verdict.ok) return { status: 200, code: undefined, text: '' };
  return { status: verdict.reply.status, code: verdict.error.code, text: verdict.reply.body };
}

/**
 * OIDC login attacks against the oauth-bff example (express BFF, local oidc-provider): forged and swapped
 * state, a callback without its transaction cookie, an open redirect through returnTo, and redirect_uri
 * variants against an authorization server's exact matcher.
 */
export default {
  title: 'OAuth 2 / OIDC login (examples/oauth-bff, express)',
  async run() {
    const bff = await startAll();
    const rows = [];
    try {
      const callbackPrefix = `${bff.baseUrl}/auth/callback`;
      const victim = createBrowser();
      const genuine = await victim.go(`${bff.baseUrl}/auth/login?returnTo=/orders`, { account: 'alice' });
      rows.push(row('genuine login, then the API with the access token', '200', seen(genuine)));

      // Forged state: the attacker invents the callback parameters.
      const browser = createBrowser();
      const started = await browser.go(`${bff.baseUrl}/auth/login`, {
        account: 'alice',
        stopAt: callbackPrefix,
      });
      const real = new URL(started.url);
      const forged = new URL(real);
      forged.searchParams.set(
        'state',
        `1.${Date.now().toString(36)}.AAAAAAAAAAAAAAAAAAAAAA.${'A'.repeat(43)}`,
      );
      rows.push(
        row('callback with a forged state', '400 OAUTH_STATE_INVALID', seen(await browser.go(forged.href))),
      );

      // Login CSRF: the attacker logs in as mallory and feeds their callback URL to the victim's browser.
      const attacker = createBrowser();
      const mallory = await attacker.go(`${bff.baseUrl}/auth/login`, {
        account: 'mallory',
        stopAt: callbackPrefix,
      });
      const target = createBrowser();
      await target.go(`${bff.baseUrl}/auth/login`, { account: 'alice', stopAt: bff.issuer });
      rows.push(
        row(
          "attacker's code + state in the victim's browser",
          '400 OAUTH_STATE_INVALID',
          seen(await target.go(mallory.url)),
        ),
      );

      const stranger = createBrowser();
      rows.push(
        row(
          'callback without the transaction cookie',
          '400 OAUTH_TRANSACTION_MISSING',
          seen(await stranger.go(real.href)),
        ),
      );

      const open = createBrowser();
      const redirected = await open.go(`${bff.baseUrl}/auth/login?returnTo=//evil.example/phish`, {
        account: 'alice',
      });
      const local = new URL(redirected.url).origin === bff.baseUrl;
      rows.push({
        attack: 'returnTo=//evil.example (open redirect)',
        expected: 'stays on the app',
        got: local ? 'stays on the app' : `went to ${redirected.url}`,
        pass: local,
      });

      const matcher = createRedirectUriMatcher(['https://app.example.com/cb']);
      for (const variant of [
        'https://app.example.com.attacker.com/cb',
        'https://app.example.com@attacker.com/cb',
        'https://app.example.com/cb/../evil',
        'https://app.example.com/CB',
        'https://app.example.com/cb#frag',
      ]) {
        rows.push(
          row(`redirect_uri ${variant}`, '400 OAUTH_REDIRECT_URI_MISMATCH', matched(matcher.match(variant))),
        );
      }
    } finally {
      await bff.close();
    }
    return rows;
  },
};
