import { describe, expect, it } from 'vitest';
import { connectionOf, isCloudflareWorkers } from './runtime.js';

const request = new Request('http://127.0.0.1/x');

function asWorkers<T>(fn: () => T): T {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: 'Cloudflare-Workers' },
    configurable: true,
  });
  try {
    return fn();
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
}

describe('connectionOf: the runtime argument of a fetch handler', () => {
  it("Bun: asks the server for this request's address", () => {
    const seen: Request[] = [];
    const server = {
      requestIP(r: Request) {
        seen.push(r);
        return { address: '::ffff:203.0.113.9', family: 'IPv6', port: 50000 };
      },
    };
    expect(connectionOf(request, server)).toEqual({ remoteAddress: '::ffff:203.0.113.9' });
    expect(seen).toEqual([request]);
    expect(connectionOf(request, { requestIP: () => null })).toEqual({});
  });

  it('Deno: info.remoteAddr.hostname; a Unix socket has none', () => {
    const tcp = {
      remoteAddr: { transport: 'tcp', hostname: '2001:db8::1', port: 4000 },
      completed: Promise.resolve(),
    };
    expect(connectionOf(request, tcp)).toEqual({ remoteAddress: '2001:db8::1' });
    expect(connectionOf(request, { remoteAddr: { transport: 'unix', path: '/tmp/s' } })).toEqual({});
  });

  it('@hono/node-server: the node socket under incoming, with a verified client certificate', () => {
    const raw = new Uint8Array([0x30, 0x03, 1, 2, 3]);
    const socket = { remoteAddress: '198.51.100.4', authorized: true, getPeerCertificate: () => ({ raw }) };
    expect(connectionOf(request, { incoming: { socket }, outgoing: {} })).toEqual({
      remoteAddress: '198.51.100.4',
      peerCertificate: raw,
    });
    // An unverified certificate is not handed on.
    const unverified = { ...socket, authorized: false };
    expect(connectionOf(request, { incoming: { socket: unverified } })).toEqual({
      remoteAddress: '198.51.100.4',
    });
  });

  it('a ConnectionInfo passes through; anything else has no address', () => {
    const der = new Uint8Array([1]);
    expect(connectionOf(request, { remoteAddress: '127.0.0.1', peerCertificate: der })).toEqual({
      remoteAddress: '127.0.0.1',
      peerCertificate: der,
    });
    for (const other of [undefined, null, 'x', 42, {}, { remoteAddress: 7 }, { requestIP: 'x' }]) {
      expect(connectionOf(request, other)).toEqual({});
    }
  });

  it('Workers: env is never read as a connection, whatever its bindings are called', () => {
    expect(isCloudflareWorkers()).toBe(false);
    asWorkers(() => {
      expect(isCloudflareWorkers()).toBe(true);
      expect(
        connectionOf(request, { remoteAddress: '10.0.0.1', JWKS_URL: 'https://id.example/jwks' }),
      ).toEqual({});
    });
  });
});
