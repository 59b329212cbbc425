// A/B of bulwark builds in one process, in the order bench/jwt.mjs runs them: the RS256 group (each build,
// the node:crypto floor, fast-jwt), the other algorithms' verifiers warmed but not timed (so the shared code
// sees the same shapes as in bench/jwt.mjs), then the cache group (each build, fast-jwt's cache). Prints
// per-round ratios: build ÷ floor, build vs fast-jwt's cache, second build ÷ first.
//   node --expose-gc bench/jwt-ab/harness-order.mjs ROUNDS MS before=…/dist/index.js after=…/dist/index.js
// ONLY=verify|cache times one group; NOWARM=1 skips the other algorithms.
import { createHmac, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { compare } from '../lib/micro.mjs';
import { floor as floorOf, med } from './common.mjs';
const [rounds, ms, ...specs] = process.argv.slice(2);
process.env.BENCH_ROUNDS = rounds;
process.env.BENCH_ROUND_MS = ms;
const only = process.env.ONLY; // 'verify' | 'cache'
const builds = [];
for (const s of specs) {
  const [label, path] = s.split('=');
  builds.push({ label, mod: await import(path) });
}
const { createVerifier } = await import('fast-jwt');
const ISSUER = 'https://issuer.bench/',
  AUDIENCE = 'https://api.bench';
const b64 = (v) => Buffer.from(v).toString('base64url');
function sign(alg, key, header, claims) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const data = Buffer.from(input);
  let sig;
  if (alg === 'HS256') sig = createHmac('sha256', key).update(data).digest();
  else if (alg === 'EdDSA') sig = nodeSign(null, data, key);
  else if (alg === 'ES256') sig = nodeSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  else sig = nodeSign('sha256', data, key);
  return `${input}.${b64(sig)}`;
}
function material(alg) {
  if (alg === 'HS256') {
    const secret = randomBytes(32);
    return { alg, secret, verifyKey: secret, pem: secret };
  }
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    alg,
    privateKey: pair.privateKey,
    verifyKey: pair.publicKey,
    pem: pair.publicKey.export({ type: 'spki', format: 'pem' }),
    jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid: `${alg}-1`, alg, use: 'sig' },
  };
}
const now = Math.floor(Date.now() / 1000);
const claims = {
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-1',
  iat: now,
  exp: now + 3000,
  jti: 'j-1',
  scope: 'orders:read',
};
const ok = (name, r) => {
  if (!(r === true || r?.ok === true || r?.sub === 'user-1'))
    throw new Error(`${name}: ${JSON.stringify(r)}`);
};
const ratios = (rows, a, b) => {
  const A = rows.find((r) => r.name === a).samples,
    B = rows.find((r) => r.name === b).samples;
  return A.map((x, i) => x / B[i]);
};
const fmt = (rs) =>
  `median ${med(rs).toFixed(3)} (${Math.min(...rs).toFixed(3)}–${Math.max(...rs).toFixed(3)})`;
console.log(process.version, 'rounds', rounds, 'ms', ms);
for (const alg of process.env.NOWARM ? [] : ['RS256', 'ES256', 'EdDSA', 'HS256']) {
  const m = material(alg);
  const token = sign(
    alg,
    alg === 'HS256' ? m.secret : m.privateKey,
    { alg, typ: 'at+jwt', ...(m.jwk ? { kid: m.jwk.kid } : {}) },
    claims,
  );
  const keyOpts = alg === 'HS256' ? { secret: m.secret } : { keys: [m.jwk] };
  const cases = {};
  for (const { label, mod } of builds) {
    const v = mod.createJwtVerifier({
      algorithms: [alg],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      ...keyOpts,
    });
    cases[`${label} verifyToken`] = () => v.verifyToken(token);
  }
  if (alg !== 'RS256' || only === 'cache') {
    for (const f of Object.values(cases)) for (let i = 0; i < 3000; i++) await f();
    continue;
  }
  const f = floorOf(m.verifyKey);
  cases['node:crypto floor'] = () => f(token);
  const fast = createVerifier({
    key: m.pem,
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    cache: false,
  });
  cases['fast-jwt (cache off)'] = () => fast(token);
  const rows = await compare(`verify ${alg}`, cases, { clock: 'cpu', check: ok });
  for (const r of rows)
    console.log(r.name.padEnd(30), 'µs', r.samples.map((x) => (1e6 / x).toFixed(2)).join(' '));
  for (const { label } of builds)
    console.log(
      `${label} ÷ floor`.padEnd(30),
      fmt(ratios(rows, `${label} verifyToken`, 'node:crypto floor')),
    );
  if (builds.length > 1)
    console.log(
      `${builds[1].label} ÷ ${builds[0].label} (speed)`.padEnd(30),
      fmt(ratios(rows, `${builds[1].label} verifyToken`, `${builds[0].label} verifyToken`)),
    );
}
if (only !== 'verify') {
  const m = material('RS256');
  const token = sign('RS256', m.privateKey, { alg: 'RS256', kid: m.jwk.kid, typ: 'at+jwt' }, claims);
  const cases = {};
  for (const { label, mod } of builds) {
    const v = mod.createJwtVerifier({
      algorithms: ['RS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      keys: [m.jwk],
      cache: true,
    });
    cases[`${label} cache`] = () => v.verifyToken(token);
  }
  const fastCached = createVerifier({
    key: m.pem,
    algorithms: ['RS256'],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    cache: true,
  });
  cases['fast-jwt (cache on)'] = () => fastCached(token);
  const rows = await compare('cache', cases, { clock: 'cpu', check: ok });
  for (const r of rows)
    console.log(r.name.padEnd(30), 'µs', r.samples.map((x) => (1e6 / x).toFixed(3)).join(' '));
  for (const { label } of builds)
    console.log(
      `${label} vs fast-jwt cache`.padEnd(30),
      fmt(ratios(rows, `${label} cache`, 'fast-jwt (cache on)')),
    );
  if (builds.length > 1)
    console.log(
      `${builds[1].label} ÷ ${builds[0].label} (speed)`.padEnd(30),
      fmt(ratios(rows, `${builds[1].label} cache`, `${builds[0].label} cache`)),
    );
}
