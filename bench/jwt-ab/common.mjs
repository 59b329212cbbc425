// Shared by the JWT A/B tools: an RS256 key and token like bench/jwt.mjs's, the floor, a CPU-clock timer.
import { generateKeyPairSync, sign as nodeSign, verify } from 'node:crypto';
export const ISSUER = 'https://issuer.bench/';
export const AUDIENCE = 'https://api.bench';
const b64 = (v) => Buffer.from(v).toString('base64url');
export function material() {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: pair.privateKey,
    verifyKey: pair.publicKey,
    pem: pair.publicKey.export({ type: 'spki', format: 'pem' }),
    jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid: 'RS256-1', alg: 'RS256', use: 'sig' },
  };
}
export function token(m, typ = true) {
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
  const header = { alg: 'RS256', ...(typ ? { typ: 'at+jwt' } : {}), kid: m.jwk.kid };
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${b64(nodeSign('sha256', Buffer.from(input), m.privateKey))}`;
}
export function floor(key) {
  return (t) => {
    const i = t.lastIndexOf('.');
    return verify(
      'sha256',
      Buffer.from(t.slice(0, i), 'latin1'),
      key,
      Buffer.from(t.slice(i + 1), 'base64url'),
    );
  };
}
export const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
export let sink;
export async function timed(fn, isAsync, ms) {
  let ops = 0,
    batch = 1;
  const start = cpu();
  const end = start + ms;
  let t = start;
  while (t < end) {
    if (isAsync) for (let i = 0; i < batch; i++) sink = await fn();
    else for (let i = 0; i < batch; i++) sink = fn();
    ops += batch;
    t = cpu();
    if (batch < 1 << 16 && t - start < ms / 20) batch *= 2;
  }
  return ((t - start) * 1000) / ops; // µs per op
}
export async function ab(cases, rounds, ms) {
  const names = Object.keys(cases);
  const kinds = {};
  for (const n of names) {
    const f = cases[n]();
    kinds[n] = typeof f?.then === 'function';
    const v = kinds[n] ? await f : f;
    if (!(v === true || v?.ok === true || v?.sub === 'user-1'))
      throw new Error(`${n} failed ${JSON.stringify(v)}`);
  }
  for (const n of names) await timed(cases[n], kinds[n], 200);
  const s = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < names.length; k++) {
      const n = names[(r + k) % names.length];
      globalThis.gc?.();
      s[n].push(await timed(cases[n], kinds[n], ms));
    }
  return s;
}
export const med = (a) => {
  const b = [...a].sort((x, y) => x - y);
  const m = b.length >> 1;
  return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2;
};
export function report(s, pairs) {
  for (const [n, v] of Object.entries(s))
    console.log(n.padEnd(28), 'median µs', med(v).toFixed(3), v.map((x) => x.toFixed(3)).join(' '));
  for (const [a, b, inv] of pairs) {
    const r = s[a].map((x, i) => (inv ? x / s[b][i] : s[b][i] / x));
    console.log(
      `${a} vs ${b}`.padEnd(50),
      'ratio median',
      med(r).toFixed(3),
      'min',
      Math.min(...r).toFixed(3),
      'max',
      Math.max(...r).toFixed(3),
    );
  }
}
