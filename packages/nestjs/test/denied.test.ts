import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { BulwarkDenied, JWT_ERRORS } from '../src/index.js';

describe('BulwarkDenied.from', () => {
  it('carries the denial and its status as an HttpException', () => {
    const denied = BulwarkDenied.from(JWT_ERRORS.expired);
    expect(denied).toBeInstanceOf(HttpException);
    expect(denied.getStatus()).toBe(401);
    expect(denied.error.code).toBe('JWT_EXPIRED');
  });

  it('captures no stack frames and leaves the global stack limit as it was', () => {
    const before = Error.stackTraceLimit;
    const denied = BulwarkDenied.from(JWT_ERRORS.expired);
    expect(denied.stack ?? '').not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('x').stack).toMatch(/\n\s+at /);
  });
});
