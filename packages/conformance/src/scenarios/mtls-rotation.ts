import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { SecurityEvent } from '@bulwark/core';
import { type CertificateRotation, loadMtlsServerOptions, watchCertificateFiles } from '@bulwark/core/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueTestLeaf, type TestLeaf } from '../../../core/test/mtls/pki.js';
import type { AdapterHarness, RunningApp } from '../harness.js';
import { scenarioGroup } from '../scenario.js';
import { type MtlsPki, makeMtlsPki, mtlsSpec } from './mtls.js';

interface Reply {
  status: number;
  serverSerial: string;
  reused: boolean;
}

/** One HTTPS request with node's client, so the server certificate and socket reuse are visible. */
function call(base: string, pki: MtlsPki, client: TestLeaf, agent: Agent | false = false): Promise<Reply> {
  const url = new URL('/mtls/billing', base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        ca: pki.ca.certPem,
        servername: 'localhost',
        cert: client.certPem,
        key: client.keyPem,
        agent,
      },
      (res) => {
        // Read before 'end': a keep-alive agent takes the socket back once the response is consumed.
        const serverSerial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, serverSerial, reused: req.reusedSocket }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Hot rotation on the adapter's own server: the harness hands its TLS server to `watchCertificateFiles`; the
 * files are replaced mid-test. New handshakes use the new certificate, an open keep-alive connection survives
 * with the old one, and a bad file keeps the previous context and emits `mtls.rotation_failed`.
 */
export function mtlsRotationScenarios(harness: AdapterHarness): void {
  scenarioGroup(harness, 'mtls.rotation', 'mTLS certificate rotation', () => {
    let pki: MtlsPki;
    let app: RunningApp;
    let rotation: CertificateRotation | undefined;
    let dir = '';
    const waiters: { type: string; resolve: (e: SecurityEvent) => void }[] = [];
    const next = (type: string) => new Promise<SecurityEvent>((resolve) => waiters.push({ type, resolve }));
    const onEvent = (e: SecurityEvent) => {
      const i = waiters.findIndex((w) => w.type === e.type);
      if (i !== -1) waiters.splice(i, 1)[0]!.resolve(e);
    };
    const write = (name: string, content: string) => {
      writeFileSync(join(dir, `.${name}.tmp`), content);
      renameSync(join(dir, `.${name}.tmp`), join(dir, name));
    };

    beforeAll(async () => {
      pki = await makeMtlsPki();
      dir = mkdtempSync(join(tmpdir(), 'bulwark-rotation-'));
      write('svid.pem', pki.server.certPem);
      write('svid_key.pem', pki.server.keyPem);
      write('bundle.pem', pki.ca.certPem);
      const files = {
        cert: join(dir, 'svid.pem'),
        key: join(dir, 'svid_key.pem'),
        ca: join(dir, 'bundle.pem'),
      };
      app = await harness.start({
        mtls: {
          ...mtlsSpec(pki),
          tls: loadMtlsServerOptions(files),
          onServer: (server) => {
            rotation = watchCertificateFiles(server, files, { onEvent, debounceMs: 50 });
          },
        },
      });
    });
    afterAll(async () => {
      rotation?.close();
      await app?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('swaps the certificate for new handshakes without dropping open connections', async () => {
      expect(rotation).toBeDefined();
      const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const first = await call(app.url, pki, pki.billing, keepAlive);
        expect(first.status).toBe(200);

        const next2 = await issueTestLeaf(pki.ca, {
          server: true,
          uris: ['spiffe://corp.example.com/ns/billing/sa/server'],
        });
        const rotated = next('mtls.rotated');
        write('svid_key.pem', next2.keyPem);
        write('svid.pem', next2.certPem);
        await rotated;

        const fresh = await call(app.url, pki, pki.billing);
        expect(fresh.status).toBe(200);
        expect(fresh.serverSerial).not.toBe(first.serverSerial);

        const again = await call(app.url, pki, pki.billing, keepAlive);
        expect(again.reused).toBe(true);
        expect(again.status).toBe(200);
        expect(again.serverSerial).toBe(first.serverSerial);

        const failed = next('mtls.rotation_failed');
        write('svid_key.pem', pki.billing.keyPem);
        expect((await failed).detail).toMatch(/kept the previous certificate/);
        const afterBad = await call(app.url, pki, pki.billing);
        expect(afterBad.status).toBe(200);
        expect(afterBad.serverSerial).toBe(fresh.serverSerial);
      } finally {
        keepAlive.destroy();
      }
    });
  });
}
