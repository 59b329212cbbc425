// The tour's sections, in order. Each area adds one line.
import cors from './cors.mjs';
import jwt from './jwt.mjs';
import oauth from './oauth.mjs';
import ratelimit from './ratelimit.mjs';
import webhooks from './webhooks.mjs';

export const sections = [cors, jwt, ratelimit, oauth, webhooks];
