import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createClientIpResolver,
  createEventSink,
  createCorsPolicy,
  createDpopClient,
  createDpopVerifier,
  createJwtAuthorizer,
  createJwtRoute,
  createJwtVerifier,
  createMemoryRateLimitStore,
  createMemoryRefreshTokenStore,
  createMemoryReplayStore,
  createMemoryRevocationStore,
  createMtlsVerifier,
  createOidcClient,
  createOpaAuthorizer,
  createOidcLogin,
  createRateLimiter,
  createRedirectUriMatcher,
  createRefreshTokenRotator,
  createSecurityHeaders,
  createStateCodec,
  createWebhookVerifier,
  signWebhook,
} from '@bulwark/core';
import { mtlsServerOptions, watchCertificateFiles } from '@bulwark/core/node';
import { beforeAll } from 'vitest';
import { defineOptionContract, type OptionCase } from './options-contract.js';
import { makeMtlsPki, type MtlsPki } from './scenarios/mtls.js';

// Every public factory of @bulwark/core and @bulwark/core/node, read from the declarations: a new one, or a
// new option in an existing one, is tested without anyone remembering to add it here (a new factory only
// needs its valid options below).

const entry = (path: string) => fileURLToPath(new URL(`../../core/src/${path}`, import.meta.url));
const any = (fn: (options: never) => unknown) => (options: Record<string, unknown>) => fn(options as never);

const ISSUER = 'https://id.example.com';
const SECRET = 'a-random-secret-for-the-option-contract-0f9e';
const WHSEC = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const oidc = {
  issuer: ISSUER,
  clientId: 'web',
  redirectUri: 'https://app.example.com/cb',
  scopes: ['openid'],
};
const CSP = { directives: { defaultSrc: ["'none'"] } };

let pki: MtlsPki;
let files: { cert: string; key: string; ca: string };
beforeAll(async () => {
  pki = await makeMtlsPki();
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-options-'));
  files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'ca.pem') };
  writeFileSync(files.cert, pki.server.certPem);
  writeFileSync(files.key, pki.server.keyPem);
  writeFileSync(files.ca, pki.ca.certPem);
});

const memoryStore = (fn: (options: never) => unknown): OptionCase => ({
  bases: [{ maxEntries: 1000 }],
  call: any(fn),
});

const CASES: Record<string, OptionCase> = {
  createMemoryReplayStore: memoryStore(createMemoryReplayStore),
  createMemoryRevocationStore: memoryStore(createMemoryRevocationStore),
  createMemoryRefreshTokenStore: memoryStore(createMemoryRefreshTokenStore),
  createMemoryRateLimitStore: memoryStore(createMemoryRateLimitStore),
  createJwtAuthorizer: { bases: [{ scopes: ['orders:read'] }], call: any(createJwtAuthorizer) },
  createJwtRoute: {
    bases: [{ scopes: ['orders:read'] }],
    call: (options) =>
      createJwtRoute(
        createJwtVerifier({
          algorithms: ['ES256'],
          issuer: 'https://id.example/',
          audience: 'https://api.example',
          jwksUri: 'https://id.example/jwks',
        }),
        options as never,
      ),
  },
  createJwtVerifier: {
    bases: [
      {
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: 'https://api.example.com',
        jwksUri: `${ISSUER}/jwks`,
        jwks: { cooldownMs: 30_000, timeoutMs: 5_000 },
        cache: { maxEntries: 100 },
        dpop: { externalUrl: 'https://api.example.com', nonce: { secret: SECRET, rotationSeconds: 120 } },
      },
      {
        algorithms: ['RS256'],
        audience: 'https://api.example.com',
        issuers: [{ issuer: ISSUER, jwksUri: `${ISSUER}/jwks` }],
      },
    ],
    call: any(createJwtVerifier),
  },
  createSecurityHeaders: {
    bases: [{ preset: 'api', hsts: { maxAgeSeconds: 31_536_000 }, csp: CSP, cspReportOnly: CSP }],
    call: any(createSecurityHeaders),
  },
  createCorsPolicy: {
    bases: [{ origins: ['https://app.example.com'], maxAgeSeconds: 600 }],
    call: any(createCorsPolicy),
  },
  createWebhookVerifier: {
    bases: [
      { scheme: 'standard', secrets: WHSEC, toleranceSeconds: 300 },
      {
        scheme: {
          type: 'hmac',
          signatureHeader: 'x-signature',
          encoding: 'hex',
          idHeader: 'x-id',
          signedContent: 'body',
        },
        secrets: SECRET,
      },
    ],
    call: any(createWebhookVerifier),
  },
  signWebhook: { bases: [{ secret: WHSEC, body: '{}', timestamp: 1_700_000_000 }], call: any(signWebhook) },
  createEventSink: {
    bases: [{ onEvent: () => {}, logger: false, logDenials: 0.01 }],
    call: any(createEventSink),
  },
  createClientIpResolver: {
    bases: [{ trustedProxies: ['loopback'], maxHops: 4 }],
    call: any(createClientIpResolver),
  },
  createRateLimiter: {
    bases: [
      {
        rate: { limit: 100, windowMs: 60_000 },
        burst: 10,
        clientIp: { maxHops: 4 },
        legacyHeaders: { reset: 'epoch-seconds' },
      },
      { buckets: [{ name: 'ip', rate: { limit: 100, windowMs: 60_000 }, burst: 10 }] },
    ],
    call: any(createRateLimiter),
  },
  createMtlsVerifier: {
    bases: [
      {
        authorize: {
          trustDomains: ['corp.example.com'],
          pathPrefixes: [{ trustDomain: 'corp.example.com', prefix: '/ns/billing' }],
        },
        forwardedCertificate: { trustedProxies: ['loopback'], maxHeaderBytes: 16_384 },
      },
      { decisionPoint: async () => true, decisionTimeoutMs: 1_000 },
    ],
    call: any(createMtlsVerifier),
  },
  createOpaAuthorizer: {
    bases: [
      {
        url: 'http://127.0.0.1:8181',
        path: 'bulwark/mtls/allow',
        timeoutMs: 500,
        cacheTtlMs: 5_000,
        cacheMaxEntries: 10_000,
        maxBytes: 16_384,
        fetch: globalThis.fetch,
      },
    ],
    call: any(createOpaAuthorizer),
  },
  createDpopVerifier: {
    bases: [
      {
        externalUrl: 'https://api.example.com',
        maxProofAgeSeconds: 60,
        clockToleranceSeconds: 5,
        maxProofLength: 8192,
        nonce: { secret: SECRET, rotationSeconds: 120 },
      },
    ],
    call: any(createDpopVerifier),
  },
  createDpopClient: { bases: [{ algorithm: 'ES256' }], call: any(createDpopClient) },
  createStateCodec: { bases: [{ secret: SECRET, maxAgeMs: 600_000 }], call: any(createStateCodec) },
  createRedirectUriMatcher: {
    bases: [{ allowLoopbackAnyPort: true }],
    call: (o) => createRedirectUriMatcher(['https://app.example.com/cb'], o as never),
  },
  createRefreshTokenRotator: {
    bases: [{ store: createMemoryRefreshTokenStore(), graceMs: 1_000 }],
    call: any(createRefreshTokenRotator),
  },
  createOidcClient: { bases: [{ ...oidc, timeoutMs: 5_000 }], call: any(createOidcClient) },
  createOidcLogin: {
    bases: [{ client: createOidcClient(oidc), secret: SECRET, maxAgeMs: 600_000 }],
    call: any(createOidcLogin),
  },
  mtlsServerOptions: {
    // Read when the test runs, after beforeAll minted the PKI.
    get bases() {
      return [{ cert: pki.server.certPem, key: pki.server.keyPem, ca: pki.ca.certPem }];
    },
    call: any(mtlsServerOptions),
  },
  watchCertificateFiles: {
    bases: [{ debounceMs: 150 }],
    call: (o) => watchCertificateFiles({ setSecureContext: () => {} }, files, o as never),
    cleanup: (rotation) => (rotation as { close(): void }).close(),
  },
};

defineOptionContract('@bulwark/core', [entry('index.ts'), entry('node/index.ts')], CASES, {
  identifyPeer: 'per-request; createMtlsVerifier checks the options it passes',
  verifyCertificateBinding: 'per-request; the adapters build its options from a checked route',
  oidcLogout: "per-request; an adapter's OIDC routes options, whose login createOidcLogin checked",
  refuseDeliveryBeforeBody: "per-request; its one option is the adapter's own parsable function",
});
