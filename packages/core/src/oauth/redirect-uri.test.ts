import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import type { SecurityEvent } from '../events.js';
import { createRedirectUriMatcher } from './redirect-uri.js';

const CB = 'https://app.example.com/cb';

describe('createRedirectUriMatcher', () => {
  it('accepts exactly the registered URIs', () => {
    const m = createRedirectUriMatcher([CB, 'https://app.example.com/cb?tenant=a', 'com.example.app:/oauth']);
    expect(m.match(CB)).toMatchObject({ ok: true, value: CB });
    expect(m.match('https://app.example.com/cb?tenant=a').ok).toBe(true);
    expect(m.match('com.example.app:/oauth').ok).toBe(true);
  });

  it.each([
    'https://app.example.com.attacker.com/cb',
    'https://app.example.com@attacker.com/cb',
    'https://user:pass@app.example.com/cb',
    'https://attacker.com/https://app.example.com/cb',
    'https://attacker.com/?https://app.example.com/cb',
    'https://app.example.com/cb/../evil',
    'https://app.example.com/cb/%2e%2e/evil',
    'https://app.example.com/cb%2f..%2fevil',
    'https://app.example.com/cb?x=1',
    'https://app.example.com/cb?',
    'https://app.example.com/CB',
    'https://APP.example.com/cb',
    'HTTPS://app.example.com/cb',
    'https://app.example.com/cb/',
    'https://app.example.com/cb#frag',
    'https://app.example.com/cb#',
    'https://app.example.com:443/cb',
    'https://app.example.com./cb',
    'http://app.example.com/cb',
    'https://app.example.com/c%62',
    'https://app.exаmple.com/cb',
    'https://app.example.com/cb ',
    ' https://app.example.com/cb',
    'https://app.example.com\\@attacker.com/cb',
    'https://app.example.com/cb\n',
    'https://*.example.com/cb',
    '//app.example.com/cb',
    '/cb',
    'app.example.com/cb',
    '',
  ])('refuses %j', (candidate) => {
    const events: SecurityEvent[] = [];
    const m = createRedirectUriMatcher([CB], { onEvent: (e) => events.push(e) });
    const v = m.match(candidate);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.error?.code).toBe('OAUTH_REDIRECT_URI_MISMATCH');
      expect(v.error?.status).toBe(400);
    }
    expect(events[0]?.type).toBe('oauth.redirect_uri_rejected');
  });

  it('refuses an undefined redirect_uri', () => {
    expect(createRedirectUriMatcher([CB]).match(undefined).ok).toBe(false);
  });

  it('applies the RFC 8252 loopback exception only when enabled', () => {
    const registered = ['http://127.0.0.1/cb', 'http://[::1]/cb', 'http://localhost/cb'];
    const strict = createRedirectUriMatcher(registered);
    expect(strict.match('http://127.0.0.1/cb').ok).toBe(true);
    expect(strict.match('http://127.0.0.1:51234/cb').ok).toBe(false);
    const loose = createRedirectUriMatcher(registered, { allowLoopbackAnyPort: true });
    expect(loose.match('http://127.0.0.1:51234/cb')).toMatchObject({
      ok: true,
      value: 'http://127.0.0.1/cb',
    });
    expect(loose.match('http://[::1]:8080/cb').ok).toBe(true);
    expect(loose.match('http://localhost:8080/cb').ok).toBe(false);
    expect(loose.match('http://127.0.0.1:51234/cb/x').ok).toBe(false);
    expect(loose.match('http://127.0.0.1:51234/cb?x=1').ok).toBe(false);
    // An empty query is still a query: the loopback exception relaxes the port only.
    expect(loose.match('http://127.0.0.1:51234/cb?').ok).toBe(false);
    expect(loose.match('http://[::1]:8080/cb?').ok).toBe(false);
    expect(loose.match('https://127.0.0.1:51234/cb').ok).toBe(false);
    expect(loose.match('http://127.0.0.2:51234/cb').ok).toBe(false);
    expect(loose.match('http://user@127.0.0.1:51234/cb').ok).toBe(false);
  });

  it.each([
    [[]],
    [['https://app.example.com/cb#x']],
    [['https://*.example.com/cb']],
    [['https://APP.example.com/cb']],
    [['https://app.example.com']],
    [['http://app.example.com/cb']],
    [['https://user@app.example.com/cb']],
    [['javascript:alert(1)']],
    [['/cb']],
  ])('refuses registering %j', (list) => {
    try {
      createRedirectUriMatcher(list as string[]);
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e)).toBe(true);
    }
  });

  it('matches only registered strings (property)', () => {
    const m = createRedirectUriMatcher([CB], { allowLoopbackAnyPort: true });
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl({ withQueryParameters: true, withFragments: true })),
        (s) => {
          fc.pre(s !== CB);
          expect(m.match(s).ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses every single-character edit of a registered URI (property)', () => {
    const m = createRedirectUriMatcher([CB]);
    fc.assert(
      fc.property(
        fc.nat({ max: CB.length }),
        fc.nat({ max: 1 }),
        fc.string({ minLength: 1, maxLength: 3 }),
        (i, del, insert) => {
          const edited = CB.slice(0, i) + insert + CB.slice(i + del);
          fc.pre(edited !== CB);
          expect(m.match(edited).ok).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
