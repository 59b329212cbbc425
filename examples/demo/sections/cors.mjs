import { answer, call } from '../lib.mjs';

// The example APIs allow exactly this browser app, with credentials (CORS_ORIGINS, see examples/shared/config.mjs).
const APP = 'https://app.example.com';

function grantRow(attack, res, expectGrant) {
  const acao = res.headers['access-control-allow-origin'];
  const vary = String(res.headers.vary ?? '').toLowerCase();
  const got = acao === undefined ? `${res.status}, no grant` : `${res.status}, ACAO ${acao}`;
  const pass = (expectGrant ? acao === APP : acao === undefined) && vary.includes('origin');
  return { attack, expected: expectGrant ? `200, ACAO ${APP}` : '200, no grant', got, pass };
}

const preflight = (origin, method, headers) => ({
  method: 'OPTIONS',
  headers: {
    origin,
    'access-control-request-method': method,
    ...(headers ? { 'access-control-request-headers': headers } : {}),
  },
});

/** CORS and security-header attacks: look-alike origins, hostile preflights, headers on error responses. */
export default {
  title: 'CORS and security headers',
  async run({ base }) {
    const rows = [];
    const get = (origin) => call(base, '/health', { headers: { origin } });
    rows.push(grantRow('the allowed browser app', await get(APP), true));
    // The classic suffix check (`origin.endsWith('example.com')`) lets these read a user's data.
    rows.push(
      grantRow('origin-suffix attack: app.example.com.attacker.com', await get(`${APP}.attacker.com`), false),
    );
    rows.push(grantRow('look-alike: evilapp.example.com', await get('https://evilapp.example.com'), false));
    rows.push(
      grantRow('scheme downgrade: http://app.example.com', await get('http://app.example.com'), false),
    );
    rows.push(grantRow('sandboxed iframe: Origin null', await get('null'), false));
    rows.push(grantRow('two origins in one header', await get(`${APP} https://attacker.com`), false));

    const ok = await call(base, '/orders', preflight(APP, 'POST', 'authorization, content-type'));
    rows.push({
      attack: 'preflight from the allowed app',
      expected: '204',
      got: answer(ok),
      pass: ok.status === 204 && ok.headers['access-control-allow-origin'] === APP,
    });
    const evil = await call(base, '/orders', preflight(`${APP}.attacker.com`, 'POST', 'authorization'));
    rows.push({
      attack: 'preflight from app.example.com.attacker.com',
      expected: '403 CORS_ORIGIN_DENIED',
      got: answer(evil),
      pass:
        answer(evil) === '403 CORS_ORIGIN_DENIED' &&
        evil.headers['access-control-allow-origin'] === undefined,
    });
    const custom = await call(base, '/orders', preflight(APP, 'POST', 'x-debug-impersonate'));
    rows.push({
      attack: 'preflight asking for an unlisted header',
      expected: '403 CORS_HEADERS_DENIED',
      got: answer(custom),
      pass: answer(custom) === '403 CORS_HEADERS_DENIED',
    });

    const missing = await call(base, '/no-such-route');
    const framed =
      missing.headers['x-frame-options'] === 'DENY' &&
      missing.headers['x-content-type-options'] === 'nosniff';
    rows.push({
      attack: 'probe a 404 for missing security headers',
      expected: '404, DENY + nosniff',
      got: `${missing.status}${framed ? ', DENY + nosniff' : ', headers missing'}`,
      pass: missing.status === 404 && framed,
    });
    return rows;
  },
};
