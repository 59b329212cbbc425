import { describe, expect, it } from 'vitest';
import { impostorsOf } from './cors.js';

describe('impostorsOf', () => {
  it('derives prefix, suffix, unescaped-dot and http:// look-alikes of a host name', () => {
    expect(impostorsOf('https://app.example.com').map((i) => i.origin)).toEqual([
      'https://app.example.com.evil.test',
      'https://evilexample.com',
      'https://appxexample.com',
      'http://app.example.com',
    ]);
  });

  it('keeps the port, and only builds what a domain allows', () => {
    expect(impostorsOf('https://example.com:8443').map((i) => i.origin)).toEqual([
      'https://example.com.evil.test:8443',
      'https://evilexample.com:8443',
      'http://example.com:8443',
    ]);
    expect(impostorsOf('http://127.0.0.1:3000').map((i) => i.origin)).toEqual([
      'http://127.0.0.1.evil.test:3000',
    ]);
    expect(impostorsOf('not a url')).toEqual([]);
  });

  it('never yields the trusted origin itself', () => {
    for (const o of ['https://a.b.c', 'https://x.io', 'http://h:1', 'https://[::1]:2']) {
      expect(impostorsOf(o).map((i) => i.origin)).not.toContain(new URL(o).origin);
    }
  });
});
