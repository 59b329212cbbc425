import { describe, expect, it } from 'vitest';
import { cryptoBackend } from './crypto.js';
import { backend as web } from './crypto-web.js';

describe('#jwt-crypto', () => {
  it('resolves to the node:crypto back end under the node condition', () => {
    expect(cryptoBackend.name).toBe('node');
  });
  it('hashes tokens identically in both back ends', async () => {
    expect(await web.hashToken('a.b.c')).toBe(cryptoBackend.hashToken('a.b.c'));
  });
});
