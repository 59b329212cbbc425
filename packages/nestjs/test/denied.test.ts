import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { deny } from '@bulwark/core';
import { BulwarkAnswer, JWT_ERRORS } from '../src/index.js';

describe('BulwarkAnswer.from', () => {
  it('carries the denial and its status as an HttpException', () => {
    const denied = BulwarkAnswer.from(deny(JWT_ERRORS.expired));
    expect(denied).toBeInstanceOf(HttpException);
    expect(denied.getStatus()).toBe(401);
    expect(denied.error?.code).toBe('JWT_EXPIRED');
    expect(denied.reply.status).toBe(401);
  });

  it('captures no stack frames and leaves the global stack limit as it was', () => {
    const before = Error.stackTraceLimit;
    const denied = BulwarkAnswer.from(deny(JWT_ERRORS.expired));
    expect(denied.stack ?? '').not.toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('x').stack).toMatch(/\n\s+at /);
  });
});
