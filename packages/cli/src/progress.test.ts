import { describe, expect, it } from 'vitest';
import { redactQuery } from './progress.js';

describe('redactQuery', () => {
  it('hides the values of secret-looking parameters and keeps the rest', () => {
    expect(redactQuery('https://a.example/cb?code=1&access_token=abc&x=2')).toBe(
      'https://a.example/cb?code=1&access_token=…&x=2',
    );
    expect(redactQuery('https://a.example/?API_KEY=k&sig=s&flag')).toBe(
      'https://a.example/?API_KEY=…&sig=…&flag',
    );
    expect(redactQuery('https://a.example/path')).toBe('https://a.example/path');
  });
  it('reads a 64 KB query of separators in one pass', () => {
    const url = `https://a.example/?${'?'.repeat(65_536)}&token=x`;
    expect(redactQuery(url)).toBe(`https://a.example/?${'?'.repeat(65_536)}&token=…`);
  });
});
