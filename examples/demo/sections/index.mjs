// The tour's sections, in order. Each area adds one line.
import audit from './audit.mjs';
import cors from './cors.mjs';
import dpop from './dpop.mjs';
import jwt from './jwt.mjs';
import oauth from './oauth.mjs';
import ratelimit from './ratelimit.mjs';
import webhooks from './webhooks.mjs';

// The audit goes last: it probes the whole API from outside, as a user would run it on theirs.
export const sections = [cors, jwt, dpop, ratelimit, oauth, webhooks, audit];
