import { describe, expect, it } from 'vitest';
import { isSecurityError, SecurityError } from '../errors.js';
import { renderProblem } from './problem.js';

describe('renderProblem', () => {
  const error = new SecurityError({
    code: 'JWT_EXPIRED',
    status: 401,
    message: 'The token has expired.',
    headers: [['www-authenticate', 'Bearer error="invalid_token"']],
    detail: 'exp 1700000000 < now 1700000100 (token eyJhbGciOi…)',
  });

  it('renders RFC 9457 problem+json with the code and the error headers', () => {
    const p = renderProblem(error);
    const headers = Object.fromEntries(p.headers);
    expect(p.status).toBe(401);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(headers['cache-control']).toBe('no-store');
    expect(JSON.parse(p.body!)).toEqual({
      type: 'https://bulwark.dev/errors/jwt-expired',
      title: 'Unauthorized',
      status: 401,
      detail: 'The token has expired.',
      code: 'JWT_EXPIRED',
    });
  });

  it('never puts the operator detail in the body', () => {
    expect(renderProblem(error).body).not.toContain('eyJ');
    expect(JSON.stringify(error)).not.toContain('eyJ');
  });

  it('renders each error once, and a detailed copy of an error as the error itself', () => {
    expect(renderProblem(error)).toBe(renderProblem(error));
    expect(renderProblem(error.withDetail('another reason'))).toBe(renderProblem(error));
  });

  it("puts the rule's headers (Vary, RateLimit…) ahead of the error's own, cached per header list", () => {
    const vary = [['vary', 'Origin']] as const;
    const p = renderProblem(error, vary);
    expect(p.headers.map(([n]) => n)).toEqual(['vary', 'www-authenticate', 'content-type', 'cache-control']);
    expect(renderProblem(error, vary)).toBe(p);
    expect(p.body).toBe(renderProblem(error).body);
  });

  it('recognises errors by brand, across copies of the package', () => {
    expect(isSecurityError(error)).toBe(true);
    const foreign = { [Symbol.for('bulwark.SecurityError')]: true, code: 'X', status: 400 };
    expect(isSecurityError(foreign)).toBe(true);
    expect(isSecurityError(new Error('x'))).toBe(false);
    expect(isSecurityError({ code: 'JWT_EXPIRED', status: 401 })).toBe(false);
  });
});
