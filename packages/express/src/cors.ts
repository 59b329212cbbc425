import { type CorsOptions, type CorsPolicy, createCorsPolicy, ruleFrom } from '@bulwark/core';
import { fromNodeRequest, setHeaderPairs } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './respond.js';

/**
 * Cross-origin access for exactly the origins you list. Preflights are answered here (204, or 403 when
 * refused) and never reach your routes; other requests continue with the grant headers (or only Vary).
 *
 * @example
 * app.use(cors({ origins: ['https://app.example.com'], credentials: true }));
 */
export function cors(source: CorsOptions | CorsPolicy): RequestHandler {
  const policy = ruleFrom(source, createCorsPolicy, 'check');
  return (req: Request, res: Response, next: NextFunction): void => {
    const result = policy.check(fromNodeRequest(req, { url: req.originalUrl }));
    setHeaderPairs(res, result.headers);
    if (result.kind === 'actual') next();
    else if (result.kind === 'denied') sendProblem(res, result.error);
    else {
      res.statusCode = result.status;
      res.end();
    }
  };
}
