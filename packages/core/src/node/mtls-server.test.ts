import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as mtlsServer from './mtls-server.js';

// The node adapters hand their users the TLS server side of mTLS by re-exporting this one module, so the
// list is kept in one place: an adapter naming these exports itself would drift from the others.
const ADAPTER_ENTRIES = [
  'express/src/index.ts',
  'fastify/src/index.ts',
  'nestjs/src/index.ts',
  'fetch/src/node/index.ts',
];
const NAMES = ['checkMtlsMaterial', 'loadMtlsServerOptions', 'mtlsServerOptions', 'watchCertificateFiles'];

describe('@bulwark/core/node/mtls-server', () => {
  it('exports the TLS server helpers', () => {
    expect(Object.keys(mtlsServer).sort()).toEqual(NAMES);
  });

  it.each(ADAPTER_ENTRIES)('%s re-exports the module whole and names none of its exports itself', (entry) => {
    const source = readFileSync(new URL(`../../../${entry}`, import.meta.url), 'utf8');
    expect(source).toContain("export * from '@bulwark/core/node/mtls-server';");
    for (const name of [...NAMES, 'CertificateRotationOptions', 'MtlsServerOptionsInput', 'PemInput']) {
      expect(source, name).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
  });
});
