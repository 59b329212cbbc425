// A bounded loop of RS256 verifies for `valgrind --tool=callgrind` (instruction counts hold still on a
// shared machine where timings do not). One case per process: a warm-up, then N counted calls between two
// calls of process.cpuUsage() (libuv's uv_getrusage), which callgrind is told to dump before: the second
// dump holds the N calls alone, so instructions per call = its total ÷ N.
//   valgrind --tool=callgrind --dump-before=uv_getrusage --callgrind-out-file=cg.out \
//     node --single-threaded bench/jwt-ab/callgrind.mjs CASE WARM N [path/to/core/dist/index.js]
//   grep -h '^totals:' cg.out.2   (bench/notes.md, session 7, has the loop that runs every case)
// CASE: bulwark (verifyToken, awaited as bench/jwt.mjs's harness does), bulwark-cache (the same token again,
// cache on), floor (node:crypto, lib/jwt-material.mjs), hash (the cache key alone: crypto.hash of the token).
// STUB=1 replaces crypto.verify by a check of the signature's length, so only what surrounds it is counted.
import crypto from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { AUDIENCE, ISSUER, floor, material, tokenFor } from '../lib/jwt-material.mjs';

const [name, warm, n, path = '@bulwark/core'] = process.argv.slice(2);
// RSA key generation takes a random number of instructions (the prime search): the key is made once and
// kept in .bench-tmp, so every run counts the same work.
const keyFile = new URL('../../.bench-tmp/jwt-callgrind-rs256.pem', import.meta.url);
if (!existsSync(keyFile)) {
  mkdirSync(new URL('.', keyFile), { recursive: true });
  const pem = material('RS256').signKey.export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(keyFile, pem);
}
const signKey = crypto.createPrivateKey(readFileSync(keyFile, 'utf8'));
const verifyKey = crypto.createPublicKey(signKey);
const jwk = { ...verifyKey.export({ format: 'jwk' }), kid: 'RS256-1', alg: 'RS256', use: 'sig' };
const m = { alg: 'RS256', signKey, verifyKey, jwk };
const token = tokenFor(m); // claims of now: the same length of text in every run
if (process.env.STUB === '1') {
  crypto.verify = (_alg, data, _key, sig) => data.length > 0 && sig.length === 256;
  syncBuiltinESMExports();
}
let f;
let isAsync = true;
if (name === 'floor' || name === 'hash') {
  isAsync = false;
  const bare = floor('RS256', m.verifyKey);
  f = name === 'floor' ? () => bare(token) : () => crypto.hash('sha256', token, 'binary');
} else {
  const { createJwtVerifier } = await import(path);
  const v = createJwtVerifier({
    algorithms: ['RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    ...(name === 'bulwark-cache' ? { cache: true } : { typ: 'at+jwt' }),
    keys: [m.jwk],
  });
  f = () => v.verifyToken(token);
  const first = await f();
  if (first.ok !== true) throw new Error(`${name}: ${JSON.stringify(first)}`);
}
let sink;
async function loop(count) {
  if (isAsync) for (let i = 0; i < count; i++) sink = await f();
  else for (let i = 0; i < count; i++) sink = f();
}
await loop(Number(warm));
process.cpuUsage();
await loop(Number(n));
process.cpuUsage();
if (sink === undefined) throw new Error('no result');
