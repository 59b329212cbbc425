import { describe, expect, it } from 'vitest';
import { withoutStackTrace } from './errors.js';

describe('withoutStackTrace', () => {
  it('builds the exception with no stack frames, and restores the limit (also when building throws)', () => {
    const before = Error.stackTraceLimit;
    const error = withoutStackTrace(() => new Error('denied'));
    expect(error.message).toBe('denied');
    expect(error.stack).not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('other').stack).toMatch(/\n\s+at /);
    expect(() =>
      withoutStackTrace(() => {
        throw new TypeError('broken');
      }),
    ).toThrow('broken');
    expect(Error.stackTraceLimit).toBe(before);
  });
});
