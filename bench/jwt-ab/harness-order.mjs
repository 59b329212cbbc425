// A/B of bulwark builds in one process, in the order bench/jwt.mjs runs them: the RS256 group (each build,
// the node:crypto floor, fast-jwt), the other algorithms' verifiers warmed but not timed (so the shared code
// sees the same shapes as in bench/jwt.mjs), then the cache group (each build, fast-jwt's cache). Prints
// per-round speed ratios as bench/jwt.mjs reports them (the other case's µs ÷ the build's µs): build vs
// floor, build vs fast-jwt's cache, second build vs first.
//   node --expose-gc bench/jwt-ab/harness-order.mjs ROUNDS MS before=…/dist/index.js after=…/dist/index.js
// ONLY=verify|cache times one group; NOWARM=1 skips the other algorithms.
import { AUDIENCE, ISSUER, floor, material, tokenFor } from '../lib/jwt-material.mjs';
import { ab, ratio } from './common.mjs';
const [rounds, ms, ...specs] = process.argv.slice(2);
const only = process.env.ONLY; // 'verify' | 'cache'
const builds = [];
for (const s of specs) {
  const [label, path] = s.split('=');
  builds.push({ label, mod: await import(path) });
}
const { createVerifier } = await import('fast-jwt');
/** Times the cases and prints each build's speed against `peer`, and the second build's against the first. */
async function group(name, cases, suffix, peer) {
  const s = await ab(name, cases, Number(rounds), Number(ms));
  for (const [n, v] of Object.entries(s))
    console.log(n.padEnd(30), 'µs', v.map((x) => x.toFixed(3)).join(' '));
  for (const { label } of builds)
    console.log(`${label} vs ${peer}`.padEnd(30), ratio(s, peer, `${label} ${suffix}`));
  if (builds.length > 1)
    console.log(
      `${builds[1].label} vs ${builds[0].label} (speed)`.padEnd(30),
      ratio(s, `${builds[0].label} ${suffix}`, `${builds[1].label} ${suffix}`),
    );
}
console.log(process.version, 'rounds', rounds, 'ms', ms);
for (const alg of process.env.NOWARM ? [] : ['RS256', 'ES256', 'EdDSA', 'HS256']) {
  const m = material(alg);
  const token = tokenFor(m);
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
  const f = floor(alg, m.verifyKey);
  cases['node:crypto floor'] = () => f(token);
  const fast = createVerifier({
    key: m.pem,
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    cache: false,
  });
  cases['fast-jwt (cache off)'] = () => fast(token);
  await group(`verify ${alg}`, cases, 'verifyToken', 'node:crypto floor');
}
if (only !== 'verify') {
  const m = material('RS256');
  const token = tokenFor(m);
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
  await group('cache', cases, 'cache', 'fast-jwt (cache on)');
}
