// DPoP (RFC 9449) on the resource server: what one request's proof check costs, against its floor (the one
// ES256 signature verification every proof needs, node:crypto with the key already imported) and against
// the way a user would otherwise check a proof's signature (jose jwtVerify with the embedded jwk, which
// does none of the DPoP checks). Plus the deny paths: a stolen token used with another key (refused before
// any signature work) and a replayed proof (refused by the replay store after the full check).
// Contract: see bench/README.md.
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createDpopVerifier, createMemoryReplayStore } from '@bulwark/core';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';
import { compare, ensure } from './lib/micro.mjs';

export const title = 'DPoP proof check';
export const peers = ['jose'];

const API = 'https://api.example.com';
const TOKEN = `${'a'.repeat(40)}.${'b'.repeat(300)}.${'c'.repeat(342)}`;
const NOW = 1_900_000_000;
const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function makeProof(privateKey, jwk, jti, extra = {}) {
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk };
  const claims = {
    jti,
    htm: 'GET',
    htu: `${API}/orders`,
    iat: NOW,
    ath: createHash('sha256').update(TOKEN).digest('base64url'),
    ...extra,
  };
  const input = `${b64(header)}.${b64(claims)}`;
  const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

/**
 * A pool of distinct proofs, cycled. When it wraps, time passes for the replay store only, so the pool's
 * jtis expire there and can be claimed again; `keep` (the replayed proof's store key) is claimed again at
 * once so that proof stays a replay.
 */
function pool(size, privateKey, jwk, keep) {
  const proofs = Array.from({ length: size }, (_, i) => makeProof(privateKey, jwk, `jti-${i}`));
  let i = 0;
  let storeNow = NOW * 1000;
  const store = createMemoryReplayStore({ now: () => storeNow, maxEntries: size * 2 });
  return {
    store,
    next() {
      if (i === proofs.length) {
        i = 0;
        storeNow += 3_600_000;
        // The memory store claims synchronously: the key is taken before the next check runs.
        store.claim(keep, 3_600_000);
      }
      return proofs[i++];
    },
    sample: proofs[0],
  };
}

const request = (proof) => ({
  method: 'GET',
  url: '/orders?page=2',
  header: (n) => (n === 'dpop' ? proof : n === 'authorization' ? `DPoP ${TOKEN}` : undefined),
});

export async function run({ smoke }) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const jkt = await calculateJwkThumbprint(jwk, 'sha256');
  const size = smoke ? 2_000 : 20_000;
  const replayedProof = makeProof(privateKey, jwk, 'replayed');
  // The verifier's replay key: dpop: + base64url(SHA-256(jkt.jti)).
  const keep = `dpop:${createHash('sha256').update(`${jkt}.replayed`).digest('base64url')}`;
  const proofs = pool(size, privateKey, jwk, keep);
  const dpop = createDpopVerifier({ externalUrl: API, replay: proofs.store, now: () => NOW * 1000 });
  const presented = { token: TOKEN, claims: { sub: 'alice', cnf: { jkt } } };

  const [input, sigPart] = [
    proofs.sample.slice(0, proofs.sample.lastIndexOf('.')),
    proofs.sample.split('.')[2],
  ];
  const data = Buffer.from(input);
  const signature = Buffer.from(sigPart, 'base64url');
  const floorKey = { key: publicKey, dsaEncoding: 'ieee-p1363' };

  // A stolen token presented with the thief's own key: refused on cnf.jkt, before the signature.
  const thief = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const thiefReq = request(makeProof(thief.privateKey, thief.publicKey.export({ format: 'jwk' }), 'thief'));
  const replayed = request(replayedProof);
  ensure((await dpop.check(replayed, presented)).ok, 'the replayed proof was accepted once');

  return [
    ...(await compare(
      'DPoP: check one ES256 proof vs the signature-verify floor',
      {
        'bulwark dpop.check (all RFC 9449 §4.3 checks + memory replay claim)': () =>
          dpop.check(request(proofs.next()), presented),
        'node:crypto ES256 verify floor (key imported, nothing else)': () =>
          verify('sha256', data, floorKey, signature),
        'jose jwtVerify + EmbeddedJWK (signature and typ only)': () =>
          jwtVerify(proofs.sample, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] }),
      },
      {
        smoke,
        check: (name, r) =>
          ensure(r === true || r?.ok === true || r?.payload?.htm === 'GET', `${name} accepted`),
      },
    )),
    ...(await compare(
      'DPoP deny: stolen token with another key vs a valid proof',
      {
        'bulwark refuse (401 DPOP_KEY_MISMATCH)': () => dpop.check(thiefReq, presented),
        'bulwark allow': () => dpop.check(request(proofs.next()), presented),
      },
      {
        smoke,
        clock: 'cpu',
        check: (name, r) =>
          ensure(name.includes('refuse') ? r.ok === false : r.ok === true, `${name} as intended`),
      },
    )),
    ...(await compare(
      'DPoP deny: replayed proof vs a valid proof',
      {
        'bulwark refuse (401 DPOP_PROOF_REPLAYED)': () => dpop.check(replayed, presented),
        'bulwark allow': () => dpop.check(request(proofs.next()), presented),
      },
      {
        smoke,
        clock: 'cpu',
        check: (name, r) =>
          ensure(
            name.includes('refuse')
              ? r.ok === false && r.error.code === 'DPOP_PROOF_REPLAYED'
              : r.ok === true,
            `${name} as intended`,
          ),
      },
    )),
  ];
}
