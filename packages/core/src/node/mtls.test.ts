import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect as http2Connect, createSecureServer } from 'node:http2';
import { Agent, createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, issueTestLeaf, type TestCa, type TestLeaf } from '../../test/mtls/pki.js';
import { tlsAttempt, watchRefusals } from '../../test/mtls/refusal.js';
import type { SecurityEvent } from '../events.js';
import { writeReply } from './response.js';
import { authorizePathPrefix } from '../mtls/authorize.js';
import { createMtlsVerifier } from '../mtls/verifier.js';
import { mtlsServerOptions } from './mtls.js';
import { fromNodeRequest } from './request.js';
import { loadMtlsServerOptions, watchCertificateFiles } from './rotation.js';

let ca: TestCa;
let otherCa: TestCa;
let server1: TestLeaf;
let billing: TestLeaf;
let web: TestLeaf;
let foreign: TestLeaf;

beforeAll(async () => {
  ca = await createTestCa('CN=corp CA');
  otherCa = await createTestCa('CN=other CA');
  server1 = await issueTestLeaf(ca, {
    server: true,
    uris: ['spiffe://corp.example.com/ns/billing/sa/server'],
  });
  billing = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] });
  web = await issueTestLeaf(ca, { uris: ['spiffe://corp.example.com/ns/billing-evil/sa/web'] });
  foreign = await issueTestLeaf(otherCa, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] });
});

interface Reply {
  status: number;
  body: string;
  serverSerial: string;
  reused: boolean;
}

function call(port: number, client: TestLeaf | undefined, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/pay',
        method: 'GET',
        ca: ca.certPem,
        servername: 'localhost',
        ...(client !== undefined ? { cert: client.certPem, key: client.keyPem } : {}),
        agent: agent ?? false,
      },
      (res) => {
        // Read before 'end': a keep-alive agent takes the socket back once the response is consumed.
        const serverSerial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            serverSerial,
            reused: req.reusedSocket,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

describe('mtlsServerOptions', () => {
  it('requires a client certificate from the CA, TLS >= 1.2', () => {
    const o = mtlsServerOptions({ cert: server1.certPem, key: server1.keyPem, ca: ca.certPem });
    expect(o).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
  });

  it('refuses bad material at construction', async () => {
    const expired = await issueTestLeaf(ca, {
      server: true,
      notBefore: new Date(Date.now() - 7200_000),
      notAfter: new Date(Date.now() - 3600_000),
    });
    const good = { cert: server1.certPem, key: server1.keyPem, ca: ca.certPem };
    expect(() => mtlsServerOptions({ ...good, ca: '' })).toThrow(/mtls.ca: must be non-empty/);
    expect(() => mtlsServerOptions({ ...good, ca: billing.certPem })).toThrow(/is not a CA certificate/);
    expect(() => mtlsServerOptions({ ...good, key: billing.keyPem })).toThrow(/mtls.key: does not load/);
    expect(() => mtlsServerOptions({ ...good, cert: expired.certPem, key: expired.keyPem })).toThrow(
      /expired/,
    );
    expect(() => mtlsServerOptions({ ...good, minVersion: 'TLSv1.1' as never })).toThrow(/mtls.minVersion/);
  });
});

describe('real TLS handshakes against a node https server', () => {
  let port = 0;
  let server: Server;
  const events: SecurityEvent[] = [];
  const refusals = watchRefusals();
  beforeAll(async () => {
    const mtls = createMtlsVerifier({
      authorize: authorizePathPrefix('corp.example.com', '/ns/billing'),
      onEvent: (e) => events.push(e),
    });
    server = createServer(
      mtlsServerOptions({ cert: server1.certPem, key: server1.keyPem, ca: ca.certPem }),
      (req, res) => {
        const verdict = mtls.check(fromNodeRequest(req));
        if (!verdict.ok) return writeReply(res, verdict.reply);
        res.end(JSON.stringify({ caller: verdict.value.spiffeId?.id }));
      },
    );
    refusals.attach(server);
    port = await listen(server);
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  // Each refusal is checked from both ends, then the same server serves a good client: a server that is
  // down, or refusing everyone, fails these.
  it('refuses a handshake without a client certificate: TLS alert certificate_required', async () => {
    const why = refusals.next();
    expect(await tlsAttempt(`https://127.0.0.1:${port}`, '/pay', ca.certPem, undefined)).toEqual({
      serverAuthenticated: true,
      errorCode: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      response: '',
    });
    expect(await why).toBe('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
    expect((await call(port, billing)).status).toBe(200);
  });

  it('refuses a certificate from another CA: chain not verified, closed without an answer', async () => {
    const why = refusals.next();
    const seen = await tlsAttempt(`https://127.0.0.1:${port}`, '/pay', ca.certPem, foreign);
    expect(seen.serverAuthenticated).toBe(true);
    expect(seen.response).toBe('');
    expect([undefined, 'ECONNRESET']).toContain(seen.errorCode);
    expect(await why).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect((await call(port, billing)).status).toBe(200);
  });

  it('answers 403 problem+json for a valid certificate with the wrong SPIFFE ID', async () => {
    const r = await call(port, web);
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ code: 'MTLS_PEER_DENIED', status: 403 });
    expect(events.at(-1)).toMatchObject({
      type: 'mtls.rejected',
      detail: 'spiffe://corp.example.com/ns/billing-evil/sa/web is not under /ns/billing in corp.example.com',
    });
  });

  it('answers 200 with the identity for an authorized peer', async () => {
    const r = await call(port, billing);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ caller: 'spiffe://corp.example.com/ns/billing/sa/api' });
  });
});

describe('HTTP/2 (http2.createSecureServer) with the same options', () => {
  it('identifies the peer through the compat request', async () => {
    const mtls = createMtlsVerifier({ authorize: authorizePathPrefix('corp.example.com', '/ns/billing') });
    const server = createSecureServer(
      mtlsServerOptions({ cert: server1.certPem, key: server1.keyPem, ca: ca.certPem }),
      (req, res) => {
        const verdict = mtls.check(fromNodeRequest(req as never));
        res.writeHead(verdict.ok ? 200 : verdict.reply.status);
        res.end(verdict.ok ? (verdict.value.spiffeId?.id ?? '') : (verdict.error?.code ?? ''));
      },
    );
    const port = await new Promise<number>((r) =>
      server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)),
    );
    const get = (client: TestLeaf) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const session = http2Connect(`https://127.0.0.1:${port}`, {
          ca: ca.certPem,
          cert: client.certPem,
          key: client.keyPem,
          servername: 'localhost',
        });
        session.on('error', reject);
        const stream = session.request({ ':path': '/pay' });
        let status = 0;
        let body = '';
        stream.on('response', (h) => {
          status = Number(h[':status']);
        });
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => {
          body += c;
        });
        stream.on('end', () => {
          session.close();
          resolve({ status, body });
        });
        stream.on('error', reject);
        stream.end();
      });
    try {
      expect(await get(billing)).toEqual({
        status: 200,
        body: 'spiffe://corp.example.com/ns/billing/sa/api',
      });
      expect(await get(web)).toEqual({ status: 403, body: 'MTLS_PEER_DENIED' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('hot rotation with setSecureContext', () => {
  let dir = '';
  let server: Server;
  let port = 0;
  const events: SecurityEvent[] = [];
  const refusals = watchRefusals();
  const waiters: { type: string; resolve: (e: SecurityEvent) => void }[] = [];
  const next = (type: string) => new Promise<SecurityEvent>((resolve) => waiters.push({ type, resolve }));
  const onEvent = (e: SecurityEvent) => {
    events.push(e);
    const i = waiters.findIndex((w) => w.type === e.type);
    if (i !== -1) waiters.splice(i, 1)[0]!.resolve(e);
  };
  const write = (name: string, content: string) => {
    // Write then rename, as certificate agents do, so a reader never sees half a file.
    writeFileSync(join(dir, `.${name}.tmp`), content);
    renameSync(join(dir, `.${name}.tmp`), join(dir, name));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bulwark-mtls-'));
    write('svid.pem', server1.certPem);
    write('svid_key.pem', server1.keyPem);
    write('bundle.pem', ca.certPem);
    const files = {
      cert: join(dir, 'svid.pem'),
      key: join(dir, 'svid_key.pem'),
      ca: join(dir, 'bundle.pem'),
    };
    server = createServer(loadMtlsServerOptions(files), (_req, res) => res.end('ok'));
    refusals.attach(server);
    port = await listen(server);
    watchCertificateFiles(server, files, { onEvent, debounceMs: 50 });
  });
  afterAll(async () => {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('new handshakes use the new certificate, old connections survive, a bad file keeps the old context', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await call(port, billing, keepAlive);
    expect(first.status).toBe(200);
    const oldSerial = first.serverSerial;

    const server2 = await issueTestLeaf(ca, {
      server: true,
      uris: ['spiffe://corp.example.com/ns/billing/sa/server'],
    });
    const rotated = next('mtls.rotated');
    write('svid_key.pem', server2.keyPem);
    write('svid.pem', server2.certPem);
    await rotated;

    const fresh = await call(port, billing);
    expect(fresh.status).toBe(200);
    expect(fresh.serverSerial).not.toBe(oldSerial);

    // The connection opened before the swap is still alive and still speaks with the old certificate.
    const again = await call(port, billing, keepAlive);
    expect(again.reused).toBe(true);
    expect(again.status).toBe(200);
    expect(again.serverSerial).toBe(oldSerial);

    // Rotating the CA bundle (new CA first, old kept for the overlap; written without a newline between them):
    // clients of the new CA get in, clients of the old one still do.
    const newCa = await createTestCa('CN=corp CA 2');
    const newClient = await issueTestLeaf(newCa, { uris: ['spiffe://corp.example.com/ns/billing/sa/api'] });
    const why = refusals.next();
    const seen = await tlsAttempt(`https://127.0.0.1:${port}`, '/pay', ca.certPem, newClient);
    expect([seen.serverAuthenticated, seen.response]).toEqual([true, '']);
    expect(await why).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const caRotated = next('mtls.rotated');
    write('bundle.pem', newCa.certPem.trim() + ca.certPem);
    await caRotated;
    expect((await call(port, newClient)).status).toBe(200);
    expect((await call(port, billing)).status).toBe(200);

    const failed = next('mtls.rotation_failed');
    write('svid.pem', '-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n');
    expect((await failed).detail).toMatch(/kept the previous certificate/);
    const afterBad = await call(port, billing);
    expect(afterBad.status).toBe(200);
    expect(afterBad.serverSerial).toBe(fresh.serverSerial);
    keepAlive.destroy();
  });
});
