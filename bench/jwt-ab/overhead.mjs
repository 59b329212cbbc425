// What bulwark costs around the RS256 signature check: crypto.verify is stubbed (true for a 256-byte
// signature), for each bulwark build given and for the node:crypto floor, in one process, rounds alternated
// and timed on CPU time. The RSA verify (~20 µs) is ~90% of a real run and swamps differences of 0.1 µs on a
// shared machine; without it the overhead is measured directly.
//   node --expose-gc bench/jwt-ab/overhead.mjs ROUNDS MS label=path/to/core/dist/index.js …
// A second build to compare with: copy packages/core/{package.json,dist} to a folder of its own with a
// node_modules symlink to packages/core/node_modules (the #jwt-crypto import then resolves to that copy).
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { AUDIENCE, ISSUER, floor, material, tokenFor } from '../lib/jwt-material.mjs';
import { ab, med, report } from './common.mjs';
const [rounds, ms, ...specs] = process.argv.slice(2);
const m = material('RS256');
const t = tokenFor(m);
crypto.verify = (_alg, data, _key, sig) => data.length > 0 && sig.length === 256;
syncBuiltinESMExports();
const cases = {};
for (const s of specs) {
  const [label, path] = s.split('=');
  const { createJwtVerifier } = await import(path);
  const v = createJwtVerifier({
    algorithms: ['RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: 'at+jwt',
    keys: [m.jwk],
  });
  cases[label] = () => v.verifyToken(t);
}
const f = floor('RS256', m.verifyKey);
cases.floor = () => f(t);
const s = await ab('RS256, verify stubbed', cases, Number(rounds), Number(ms));
console.log(process.version);
const labels = Object.keys(cases).filter((k) => k !== 'floor');
const pairs = labels.map((k) => [k, 'floor']);
for (let i = 1; i < labels.length; i++) pairs.push([labels[i], labels[0]]);
report(s, pairs);
// overhead above the floor, per round
for (const k of labels)
  console.log(`${k} - floor µs`.padEnd(50), 'median', med(s[k].map((x, i) => x - s.floor[i])).toFixed(3));
