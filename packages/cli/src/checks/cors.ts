import type { ProbeResponse } from '../client.js';
import type { CheckContext, Target } from './context.js';
import { CORS_RULES as R } from './cors-rules.js';
import { listTokens } from './parse.js';

export { CORS_RULES } from './cors-rules.js';

const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/** An origin the audit sends, and why it should not be granted. */
export interface Impostor {
  readonly origin: string;
  readonly kind: 'lookalike' | 'insecure';
  readonly how: string;
}

/**
 * Origins that a sloppy check of `trusted` grants: `https://app.example.com.evil.test` (prefix or
 * unanchored match), `https://evilexample.com` (suffix without the dot), `https://appxexample.com`
 * (unescaped `.` in a regex) and `http://app.example.com` (scheme not compared).
 *
 * @example
 * impostorsOf('https://app.example.com').map((i) => i.origin)
 */
export function impostorsOf(trusted: string): Impostor[] {
  let url: URL;
  try {
    url = new URL(trusted);
  } catch {
    return [];
  }
  const host = url.hostname;
  const port = url.port === '' ? '' : `:${url.port}`;
  const out: Impostor[] = [];
  if (host.startsWith('[') || IPV4.test(host)) {
    out.push({
      origin: `${url.protocol}//${host}.evil.test${port}`,
      kind: 'lookalike',
      how: 'trusted host followed by an attacker domain',
    });
  } else {
    out.push({
      origin: port === '' ? `${url.origin}.evil.test` : `${url.protocol}//${host}.evil.test${port}`,
      kind: 'lookalike',
      how: 'trusted origin as a prefix of an attacker domain',
    });
    const labels = host.split('.');
    if (labels.length >= 2) {
      const registrable = labels.slice(-2).join('.');
      out.push({
        origin: `${url.protocol}//evil${registrable}${port}`,
        kind: 'lookalike',
        how: `suffix ${registrable} without the dot`,
      });
    }
    if (labels.length >= 3) {
      out.push({
        origin: `${url.protocol}//${labels[0]}x${labels.slice(1).join('.')}${port}`,
        kind: 'lookalike',
        how: 'unescaped "." in a regular expression',
      });
    }
  }
  if (url.protocol === 'https:')
    out.push({ origin: `http://${url.host}`, kind: 'insecure', how: 'same host over http://' });
  return out;
}

interface Grant {
  readonly granted: boolean;
  readonly credentials: boolean;
  readonly wildcard: boolean;
}

function grantOf(res: ProbeResponse, origin: string): Grant {
  const acao = res.header('access-control-allow-origin')?.trim();
  const credentials = res.header('access-control-allow-credentials')?.trim().toLowerCase() === 'true';
  return { granted: acao === origin, credentials, wildcard: acao === '*' };
}

function varies(res: ProbeResponse): boolean {
  const v = listTokens(res.header('vary'));
  return v.includes('origin') || v.includes('*');
}

const rand = () => Math.random().toString(36).slice(2, 8);

/**
 * The CORS area, per target: an arbitrary origin, `null`, look-alikes of each trusted origin (--origin,
 * else the target's own host), then a preflight judged for methods, headers, Max-Age and Private Network
 * Access. Every finding names the origin it tried.
 */
export async function checkCors(ctx: CheckContext): Promise<void> {
  ctx.phase('cors');
  const seen = new Set<string>();
  for (const target of ctx.targets) {
    if (seen.has(target.url.href)) continue;
    seen.add(target.url.href);
    await checkTarget(ctx, target);
  }
}

async function checkTarget(ctx: CheckContext, target: Target): Promise<void> {
  const url = target.url.href;
  const probe = (origin: string) => ctx.client.send({ method: 'GET', url: target.url, headers: { origin } });
  let varyReported = false;
  const checkVary = (res: ProbeResponse, origin: string, g: Grant) => {
    if (varyReported || !g.granted || varies(res)) return;
    varyReported = true;
    ctx.found(
      R.varyMissing,
      url,
      `granted ${origin} without Vary: Origin`,
      [ctx.evidence(res)],
      g.credentials ? 'medium' : 'low',
    );
  };
  let wildcardReported = false;
  const checkWildcard = (res: ProbeResponse, g: Grant) => {
    if (wildcardReported || !g.wildcard || !g.credentials) return;
    wildcardReported = true;
    ctx.found(
      R.wildcardWithCredentials,
      url,
      'Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true',
      [ctx.evidence(res)],
    );
  };

  const arbitrary = `https://bulwark-audit-${rand()}.evil.test`;
  const anyRes = await probe(arbitrary);
  const anyGrant = grantOf(anyRes, arbitrary);
  checkWildcard(anyRes, anyGrant);
  if (anyGrant.granted) {
    ctx.found(
      R.reflectsAnyOrigin,
      url,
      `Origin ${arbitrary} was granted${anyGrant.credentials ? ' with Access-Control-Allow-Credentials: true' : ' (no credentials: public data only)'}`,
      [ctx.evidence(anyRes)],
      anyGrant.credentials ? 'critical' : 'low',
    );
  }
  checkVary(anyRes, arbitrary, anyGrant);

  const nullRes = await probe('null');
  const nullGrant = grantOf(nullRes, 'null');
  if (nullGrant.granted) {
    ctx.found(
      R.nullOrigin,
      url,
      `Origin null was granted${nullGrant.credentials ? ' with credentials' : ''}`,
      [ctx.evidence(nullRes)],
      nullGrant.credentials ? 'high' : 'low',
    );
  }
  checkVary(nullRes, 'null', nullGrant);

  const trusted = ctx.options.origins.length > 0 ? ctx.options.origins : [`https://${target.url.host}`];
  let grantedOrigin: string | undefined = anyGrant.granted ? arbitrary : undefined;
  for (const origin of ctx.options.origins) {
    const res = await probe(origin);
    const g = grantOf(res, origin);
    checkWildcard(res, g);
    checkVary(res, origin, g);
    if (g.granted) grantedOrigin ??= origin;
    else
      ctx.notChecked(
        'cors',
        `the grant to ${origin}`,
        `${url} did not grant it (no matching Access-Control-Allow-Origin); look-alikes were still tried`,
      );
  }
  if (!anyGrant.granted) {
    for (const t of trusted) {
      for (const impostor of impostorsOf(t)) {
        const res = await probe(impostor.origin);
        const g = grantOf(res, impostor.origin);
        checkVary(res, impostor.origin, g);
        if (!g.granted) continue;
        const rule = impostor.kind === 'insecure' ? R.insecureOrigin : R.lookalikeOrigin;
        const severity = g.credentials ? rule.severity : 'low';
        ctx.found(
          rule,
          url,
          `Origin ${impostor.origin} (${impostor.how} of ${t}) was granted${g.credentials ? ' with credentials' : ''}`,
          [ctx.evidence(res)],
          severity,
        );
      }
    }
  }
  await checkPreflight(
    ctx,
    target,
    grantedOrigin ?? trusted[0]!,
    grantedOrigin !== undefined && grantedOrigin === arbitrary,
  );
}

async function checkPreflight(
  ctx: CheckContext,
  target: Target,
  origin: string,
  untrusted: boolean,
): Promise<void> {
  const url = target.url.href;
  const custom = `x-bulwark-audit-${rand()}`;
  const preflight = (headers: Record<string, string>) =>
    ctx.client.send({
      method: 'OPTIONS',
      url: target.url,
      headers: { origin, 'access-control-request-method': 'PUT', ...headers },
    });
  let res = await preflight({
    'access-control-request-headers': `authorization,${custom}`,
    'access-control-request-private-network': 'true',
  });
  let g = grantOf(res, origin);
  if (!g.granted && !g.wildcard) {
    // A strict policy refuses the whole preflight for one unknown header: ask again without it, so the
    // methods and Max-Age it grants can still be judged.
    res = await preflight({});
    g = grantOf(res, origin);
  }
  if (!g.granted && !g.wildcard) {
    ctx.notChecked(
      'cors',
      `preflight lists on ${url}`,
      `the preflight from ${origin} was not granted (${res.status})`,
    );
    return;
  }
  const methods = listTokens(res.header('access-control-allow-methods'));
  const headers = listTokens(res.header('access-control-allow-headers'));
  // With credentials browsers read `*` as a literal name, so it grants nothing extra there.
  if (methods.includes('*') && !g.credentials) {
    ctx.found(R.broadMethods, url, `Access-Control-Allow-Methods: * for ${origin}`, [ctx.evidence(res)]);
  } else {
    const odd = `BULWARKAUDIT${rand().toUpperCase()}`;
    const again = await ctx.client.send({
      method: 'OPTIONS',
      url: target.url,
      headers: { origin, 'access-control-request-method': odd },
    });
    if (listTokens(again.header('access-control-allow-methods')).includes(odd.toLowerCase())) {
      ctx.found(R.broadMethods, url, `the requested method ${odd} was echoed back for ${origin}`, [
        ctx.evidence(again),
      ]);
    }
  }
  if (headers.includes(custom)) {
    ctx.found(
      R.broadHeaders,
      url,
      `the requested header ${custom} was echoed back for ${origin}`,
      [ctx.evidence(res)],
      g.credentials ? 'medium' : 'low',
    );
  } else if (headers.includes('*') && !g.credentials) {
    ctx.found(R.broadHeaders, url, `Access-Control-Allow-Headers: * for ${origin}`, [ctx.evidence(res)]);
  }
  const maxAge = Number(res.header('access-control-max-age'));
  if (Number.isFinite(maxAge) && maxAge > 7200) {
    const cap =
      maxAge > 86400 ? 'every browser cap (Firefox 86400 s, Chromium 7200 s)' : 'Chromium’s cap of 7200 s';
    ctx.found(R.maxAge, url, `Access-Control-Max-Age: ${maxAge} is above ${cap}`, [ctx.evidence(res)]);
  }
  if (untrusted && res.header('access-control-allow-private-network')?.trim().toLowerCase() === 'true') {
    ctx.found(R.privateNetwork, url, `granted to ${origin}`, [ctx.evidence(res)]);
  }
}
