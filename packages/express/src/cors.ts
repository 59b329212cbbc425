import { type CorsOptions, type CorsPolicy, createCorsPolicy, ruleFor } from '@bulwark/core';
import { applyVerdict } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestOf } from './http.js';

/**
 * Cross-origin access for exactly the origins you list. Preflights are answered here (204, or 403 when
 * refused) and never reach your routes; other requests continue with the grant headers (or only Vary).
 *
 * @example
 * app.use(cors({ origins: ['https://app.example.com'], credentials: true }));
 */
export function cors(source: CorsOptions | CorsPolicy): RequestHandler {
  const policy = ruleFor(source, 'cors', createCorsPolicy);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (applyVerdict(req, res, policy.check(requestOf(req)))) next();
  };
}
