import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER } from '../../test/jwt-fixtures.js';
import { isConfigError } from '../errors.js';
import { createJwtVerifier } from '../jwt/verifier.js';
import { createOidcClient } from '../oauth/client.js';
import { createOidcLogin } from '../oauth/login.js';
import { createStateCodec } from '../oauth/state.js';
import { signWebhook } from '../webhooks/sign.js';
import { createWebhookVerifier } from '../webhooks/verifier.js';

// The class behind "public key as HMAC secret": every option whose value becomes an HMAC key refuses
// key material, whatever the area. A new HMAC-secret option belongs in this table.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');
const spki = rsa.publicKey.export({ format: 'der', type: 'spki' });
const edSpki = ed.publicKey.export({ format: 'der', type: 'spki' });
const KEYS: [string, string | Uint8Array][] = [
  ['RSA SPKI DER', spki],
  ['Ed25519 SPKI DER', edSpki],
  ['RSA PKCS#1 DER', rsa.publicKey.export({ format: 'der', type: 'pkcs1' })],
  ['base64 of SPKI DER', spki.toString('base64')],
  ['Ed25519 PEM', ed.publicKey.export({ format: 'pem', type: 'spki' }) as string],
  ['Ed25519 JWK text', JSON.stringify(ed.publicKey.export({ format: 'jwk' }))],
  ['whsec_ around SPKI DER', `whsec_${spki.toString('base64')}`],
  ['whpk_ Standard Webhooks public key', `whpk_${ed.publicKey.export({ format: 'jwk' }).x}`],
];
const client = createOidcClient({
  issuer: 'https://id.example.com',
  clientId: 'web',
  redirectUri: 'https://app.example.com/cb',
  scopes: ['openid'],
});

const SITES: [string, string, (secret: string | Uint8Array) => unknown][] = [
  [
    'jwt.secret',
    'jwt.secret',
    (secret) => createJwtVerifier({ algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, secret }),
  ],
  ...(['standard', 'stripe', 'github'] as const).map(
    (scheme): [string, string, (secret: string | Uint8Array) => unknown] => [
      `webhooks ${scheme}`,
      'webhooks.secrets[0]',
      (secret) => createWebhookVerifier({ scheme, secrets: [secret] }),
    ],
  ),
  [
    'webhooks generic hmac',
    'webhooks.secrets[0]',
    (secret) =>
      createWebhookVerifier({
        scheme: {
          type: 'hmac',
          signatureHeader: 'x-signature',
          encoding: 'hex',
          idHeader: 'x-id',
          signedContent: 'body',
        },
        secrets: secret,
      }),
  ],
  ['signWebhook', 'webhooks.sign.secret', (secret) => signWebhook({ secret, body: '{}' })],
  ['oauth state', 'oauth.state.secret', (secret) => createStateCodec({ secret })],
  ['oauth login', 'oauth.login.secret', (secret) => createOidcLogin({ client, secret })],
];

describe('every HMAC secret option refuses key material', () => {
  it.each(SITES)('%s', async (_site, option, build) => {
    for (const [name, secret] of KEYS) {
      let error: unknown;
      try {
        await build(secret);
      } catch (e) {
        error = e;
      }
      expect(isConfigError(error), `${name} passed`).toBe(true);
      expect((error as { option: string }).option, name).toBe(option);
      expect((error as Error).message, name).toMatch(/key/i);
    }
  });
});
